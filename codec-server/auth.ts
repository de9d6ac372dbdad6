import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { CodecToken } from './config';
import type { Sessions } from './session';

export const SESSION_COOKIE = 'sagaflow_codec';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The token's name for a secret (constant-time comparison against every configured token). */
export function tokenName(tokens: readonly CodecToken[], secret: string): string | undefined {
  const given = digest(secret);
  let found: string | undefined;
  for (const token of tokens) if (timingSafeEqual(digest(token.secret), given)) found = token.name;
  return found;
}

export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Who is calling: a bearer token (CLI, scripts) or a /login session cookie (the Web UI); undefined if nobody. */
export function caller(req: Request, tokens: readonly CodecToken[], sessions: Sessions): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  if (bearer) return tokenName(tokens, bearer);
  return sessions.verify(cookieValue(req, SESSION_COOKIE));
}
