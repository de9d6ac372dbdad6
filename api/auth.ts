import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ApiKey, Role } from './config';
import { ApiError } from './errors';

const digest = (secret: string) => createHash('sha256').update(secret).digest();

/** The secret a request presents: `Authorization: Bearer <secret>` or `X-API-Key: <secret>`. */
function presentedSecret(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (authorization !== undefined) {
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    return match?.[1];
  }
  return apiKeyHeader?.trim() || undefined;
}

/**
 * Authenticates every request it guards with one of the configured API keys (compared in constant time on
 * their SHA-256 digests); a missing, malformed or unknown key is 401 UNAUTHORIZED.
 */
export function authenticate(keys: readonly ApiKey[]): RequestHandler {
  const known = keys.map((key) => ({ key, digest: digest(key.secret) }));
  return (req, _res, next) => {
    const secret = presentedSecret(req.get('Authorization'), req.get('X-API-Key'));
    if (!secret) {
      return next(
        new ApiError(
          'UNAUTHORIZED',
          'an API key is required: Authorization: Bearer <key> or X-API-Key: <key>',
          undefined,
          { 'WWW-Authenticate': 'Bearer realm="sagaflow"' },
        ),
      );
    }
    const presented = digest(secret);
    // Compare against every key, so the time taken does not reveal which (if any) matched.
    let match: ApiKey | undefined;
    for (const candidate of known) {
      if (timingSafeEqual(candidate.digest, presented) && !match) match = candidate.key;
    }
    if (!match) {
      return next(
        new ApiError('UNAUTHORIZED', 'unknown API key', undefined, {
          'WWW-Authenticate': 'Bearer realm="sagaflow", error="invalid_token"',
        }),
      );
    }
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
