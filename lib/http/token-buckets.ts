interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by key, in this process's memory: each key may burst up to `perMinute` and refills at
 * `perMinute` a minute. At most `maxKeys` are kept: a new key past that evicts the oldest (Map order), which can
 * only forgive its debt early, never block anyone.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** The bucket of `key`, refilled to now. */
  private refilled(key: string): Bucket {
    const t = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (t - bucket.at) * this.perMs);
    bucket.at = t;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return bucket;
  }

  /** Seconds until `key` has a token again; 0 when it has one now. */
  retryAfter(key: string): number {
    const bucket = this.refilled(key);
    return bucket.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  /** Takes a token from `key`'s bucket: the tokens left, or undefined (none taken) when it is empty. */
  take(key: string): number | undefined {
    const bucket = this.refilled(key);
    if (bucket.tokens < 1) return undefined;
    bucket.tokens -= 1;
    return Math.floor(bucket.tokens);
  }
}
