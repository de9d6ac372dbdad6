import type { RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Requires `Authorization: Bearer <token>` with the shared service token (compared in constant time). */
export function requireBearerToken(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(401, 'UNAUTHORIZED', match ? 'Invalid bearer token' : 'Missing bearer token');
    }
    next();
  };
}
