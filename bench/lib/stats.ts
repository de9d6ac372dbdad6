import { seededRandom } from './random';

/** Summary of a list of durations (ms), with nearest-rank percentiles; all zeros for an empty list. */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The nearest-rank percentile (p in 0..100) of ascending-sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    mean: round(sorted.length ? sum / sorted.length : 0),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? 0),
  };
}

/** a / b rounded, or null when b is 0 (nothing to compare with). */
export function ratio(a: number, b: number, digits = 3): number | null {
  return b === 0 ? null : round(a / b, digits);
}

/**
 * The 95 % percentile-bootstrap interval of `statistic` over `items` (resampled with replacement), or null
 * with fewer than 3 items. Used over rounds, so that a ratio comes with how much it moves from round to round.
 */
export function bootstrapCi95<T>(
  items: readonly T[],
  statistic: (sample: readonly T[]) => number,
  { resamples = 2000, seed = 1, digits = 3 } = {},
): [number, number] | null {
  if (items.length < 3) return null;
  const random = seededRandom(seed);
  const values: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const sample = Array.from({ length: items.length }, () => items[Math.floor(random() * items.length)]!);
    const value = statistic(sample);
    if (Number.isFinite(value)) values.push(value);
  }
  values.sort((a, b) => a - b);
  return [round(percentile(values, 2.5), digits), round(percentile(values, 97.5), digits)];
}
