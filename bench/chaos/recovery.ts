// Time to recover from a fault, from the count of closed sagas sampled through the run: the rate before the fault
// (its last 10 s, or since the first sample if the run is younger) against the rate after it, over a sliding window. Recovered = the first moment at least WINDOW_MS
// after the fault at which the sagas closed at half the earlier rate or more over the last WINDOW_MS. The figure
// includes the time the faulted process was down; its resolution is the window (a fault the sagas never felt
// reads about WINDOW_MS).

export const WINDOW_MS = 3_000;
const BEFORE_MS = 10_000;

export interface Sample {
  at: number;
  closed: number;
}

export class ClosedSagaSamples {
  private readonly samples: Sample[] = [];

  add(at: number, closed: number): void {
    this.samples.push({ at, closed });
  }

  /** The closed count at or just before `at` (undefined before the first sample). */
  private closedAt(at: number): number | undefined {
    let value: number | undefined;
    for (const sample of this.samples) {
      if (sample.at > at) break;
      value = sample.closed;
    }
    return value;
  }

  private rate(from: number, to: number): number | undefined {
    const start = this.closedAt(from);
    const end = this.closedAt(to);
    return start === undefined || end === undefined ? undefined : ((end - start) * 1000) / (to - from);
  }

  /** Milliseconds from `faultAt` until the sagas closed at half their earlier rate again; undefined if not yet. */
  recoveredAfter(faultAt: number): number | undefined {
    const first = this.samples[0]?.at;
    if (first === undefined || faultAt - first < WINDOW_MS) return undefined;
    const before = this.rate(Math.max(first, faultAt - BEFORE_MS), faultAt);
    if (before === undefined || before <= 0) return undefined;
    for (const sample of this.samples) {
      if (sample.at < faultAt + WINDOW_MS) continue;
      const rate = this.rate(sample.at - WINDOW_MS, sample.at);
      if (rate !== undefined && rate >= before / 2) return sample.at - faultAt;
    }
    return undefined;
  }
}
