import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ApiKey, Role } from './config';
import { ApiError } from './errors';
import { TokenBuckets } from '../lib/http/token-buckets';

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/** The secret a request presents: `Authorization: Bearer <secret>` or `X-API-Key: <secret>`. */
function presentedSecret(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (authorization !== undefined) {
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    return match?.[1];
  }
  return apiKeyHeader?.trim() || undefined;
}

export interface AuthOptions {
  /** Failed authentications a source address may make a minute before it is locked out until its bucket refills. */
  failuresPerMinute: number;
  now?: () => number;
}

/** How many addresses, and keys per address, the lockout remembers as having authenticated there. */
const TRUSTED_ADDRESSES = 10_000;
const TRUSTED_KEYS_PER_ADDRESS = 64;

/**
 * The keys that authenticated from each address, so a lockout of the address spares them: many tenants share one
 * address behind a NAT or a proxy, and one of them (or an attacker among them) guessing keys must not lock the
 * others out. Bounded: the oldest address is forgotten first.
 */
class TrustedKeys {
  private readonly byAddress = new Map<string, Set<string>>();

  remember(address: string, keyDigest: string): void {
    const keys = this.byAddress.get(address) ?? new Set<string>();
    this.byAddress.delete(address);
    this.byAddress.set(address, keys);
    if (keys.size < TRUSTED_KEYS_PER_ADDRESS) keys.add(keyDigest);
    if (this.byAddress.size > TRUSTED_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value!);
  }

  has(address: string, keyDigest: string): boolean {
    return this.byAddress.get(address)?.has(keyDigest) ?? false;
  }
}

/**
 * Authenticates every request it guards with one of the configured API keys (compared in constant time on
 * their SHA-256 digests); a missing, malformed or unknown key is 401 UNAUTHORIZED. Each such failure takes a
 * token from the source address's bucket; an address with none left gets 429 until it refills, for every
 * request but those with a key that already authenticated from that address (a guess that happens to be right
 * still gets 429, and the tenants behind the same address keep working).
 */
export function authenticate(keys: readonly ApiKey[], options: AuthOptions): RequestHandler {
  const known = keys.map((key) => ({ key, digest: digest(key.secret) }));
  const failures = new TokenBuckets(options.failuresPerMinute, options.now);
  const trusted = new TrustedKeys();
  return (req, _res, next) => {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const secret = presentedSecret(req.get('Authorization'), req.get('X-API-Key'));
    const presented = secret === undefined ? undefined : digest(secret);
    const lockedFor = failures.retryAfter(address);
    if (lockedFor > 0 && !(presented && trusted.has(address, presented.toString('hex')))) {
      return next(
        new ApiError('RATE_LIMITED', 'too many failed authentications from this address; retry later', undefined, {
          'Retry-After': String(lockedFor),
        }),
      );
    }
    const fail = (error: ApiError) => {
      failures.take(address);
      req.log.warn({ address, code: error.code }, 'authentication failed');
      next(error);
    };
    if (!presented) {
      return fail(
        new ApiError(
          'UNAUTHORIZED',
          'an API key is required: Authorization: Bearer <key> or X-API-Key: <key>',
          undefined,
          { 'WWW-Authenticate': 'Bearer realm="sagaflow"' },
        ),
      );
    }
    // Compare against every key, so the time taken does not reveal which (if any) matched.
    let match: ApiKey | undefined;
    for (const candidate of known) {
      if (timingSafeEqual(candidate.digest, presented) && !match) match = candidate.key;
    }
    if (!match) {
      return fail(
        new ApiError('UNAUTHORIZED', 'unknown API key', undefined, {
          'WWW-Authenticate': 'Bearer realm="sagaflow", error="invalid_token"',
        }),
      );
    }
    trusted.remember(address, presented.toString('hex'));
    req.apiKey = match;
    next();
  };
}

/** Operators may do everything a client may; a client may not do operator actions. */
const GRANTS: Record<Role, readonly Role[]> = {
  client: ['client'],
  operator: ['client', 'operator'],
};

/** Requires the authenticated key to hold `role`; otherwise 403 FORBIDDEN. Runs after `authenticate`. */
export function requireRole(role: Role): RequestHandler {
  return (req, _res, next) => {
    const key = req.apiKey;
    if (!key) return next(new ApiError('UNAUTHORIZED', 'an API key is required'));
    if (!GRANTS[key.role].includes(role)) {
      return next(new ApiError('FORBIDDEN', `this action needs the ${role} role; key ${key.name} has ${key.role}`));
    }
    next();
  };
}
