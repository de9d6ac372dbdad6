import type { RequestHandler } from 'express';
import { ApiError } from './errors';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per API key, kept in this process's memory: each key may burst up to `perMinute` requests
 * and refills at `perMinute` a minute. With several API processes each keeps its own buckets, so the
 * effective limit is per key per process (put a shared limiter in front for a global one). Keys come from
 * configuration, so the map is bounded by the number of configured keys. Runs after `authenticate`.
 */
export function rateLimit(perMinute: number, now: () => number = Date.now): RequestHandler {
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;
  return (req, res, next) => {
    const key = req.apiKey?.name;
    if (!key) return next();
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: perMinute, at: t };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    buckets.set(key, bucket);
    res.setHeader('RateLimit-Limit', String(perMinute));
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      res.setHeader('RateLimit-Remaining', '0');
      return next(
        new ApiError(
          'RATE_LIMITED',
          `rate limit of ${perMinute} requests a minute exceeded for key ${key}`,
          undefined,
          {
            'Retry-After': String(retryAfter),
          },
        ),
      );
    }
    bucket.tokens -= 1;
    res.setHeader('RateLimit-Remaining', String(Math.floor(bucket.tokens)));
    next();
  };
}
