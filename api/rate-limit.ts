import type { RequestHandler } from 'express';
import { ApiError } from './errors';
import { TokenBuckets } from '../lib/http/token-buckets';

/**
 * A token bucket per tenant (a global operator key: per key), kept in this process's memory: each may burst up
 * to `perMinute` requests and refills at `perMinute` a minute; the keys of one tenant share its bucket, so a
 * rotation does not double it. With several API processes each keeps its own buckets, so the effective limit is
 * per tenant per process (put a shared limiter in front for a global one). Runs after `authenticate`.
 */
export function rateLimit(perMinute: number, now: () => number = Date.now): RequestHandler {
  const buckets = new TokenBuckets(perMinute, now);
  return (req, res, next) => {
    const key = req.apiKey;
    if (!key) return next();
    const scope = key.tenant === undefined ? `key:${key.name}` : `tenant:${key.tenant}`;
    res.setHeader('RateLimit-Limit', String(perMinute));
    const left = buckets.take(scope);
    if (left === undefined) {
      res.setHeader('RateLimit-Remaining', '0');
      const who = key.tenant === undefined ? `key ${key.name}` : `tenant ${key.tenant}`;
      return next(
        new ApiError('RATE_LIMITED', `rate limit of ${perMinute} requests a minute exceeded for ${who}`, undefined, {
          'Retry-After': String(buckets.retryAfter(scope)),
        }),
      );
    }
    res.setHeader('RateLimit-Remaining', String(left));
    next();
  };
}
