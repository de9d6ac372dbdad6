/**
 * The order the modes run in during round `round` (1-based): the requested order rotated by one place per round,
 * so that over the rounds each mode runs first, second, ... alike. A mode's place in a round matters on this
 * machine (the server's and the machine's state drift within a round: the same mode measured 10-20 % apart
 * first and last), and a fixed order would put that drift into the ratios.
 */
export function roundOrder<T>(modes: readonly T[], round: number): T[] {
  if (modes.length === 0) return [];
  const shift = (round - 1) % modes.length;
  return [...modes.slice(shift), ...modes.slice(0, shift)];
}
