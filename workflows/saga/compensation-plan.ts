import type { CompensationOrder } from './definition';

/**
 * Turns the registered compensations (in registration order) into batches: batches run one after another,
 * the compensations inside a batch at the same time.
 */
export function planCompensations(registered: string[], order: CompensationOrder = { kind: 'reverse' }): string[][] {
  const reversed = [...registered].reverse();
  switch (order.kind) {
    case 'reverse':
      return reversed.map((name) => [name]);
    case 'parallel':
      return reversed.length > 0 ? [reversed] : [];
    case 'grouped': {
      const grouped = order.groups
        .map((group) => group.filter((name) => registered.includes(name)))
        .filter((group) => group.length > 0);
      const named = new Set(order.groups.flat());
      const rest = reversed.filter((name) => !named.has(name)).map((name) => [name]);
      return [...grouped, ...rest];
    }
  }
}
