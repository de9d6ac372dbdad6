import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed session values for the /login cookie: `name.expiresAt.id.signature`. The signing key lives only in this
 * process, so a restart signs everybody out, which is acceptable for an operator tool. A signed-out session's id is
 * kept (until it would have expired) so that the cookie, replayed, no longer works.
 */
export class Sessions {
  private readonly key = randomBytes(32);
  /** Revoked session ids and when they would have expired. */
  private readonly revoked = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  issue(name: string, now = Date.now()): { value: string; maxAgeSeconds: number } {
    const body = `${name}.${now + this.ttlMs}.${randomBytes(12).toString('base64url')}`;
    return { value: `${body}.${this.sign(body)}`, maxAgeSeconds: Math.floor(this.ttlMs / 1000) };
  }

  /** The signed-in name, or undefined for a missing, forged, expired or signed-out session. */
  verify(value: string | undefined, now = Date.now()): string | undefined {
    const session = this.parse(value);
    if (!session || session.expires <= now || this.revoked.has(session.id)) return undefined;
    return session.name;
  }

  /** Signs a session out for good (logout): its cookie stops working even if it is sent again. */
  revoke(value: string | undefined, now = Date.now()): void {
    for (const [id, expires] of this.revoked) if (expires <= now) this.revoked.delete(id);
    const session = this.parse(value);
    if (session && session.expires > now) this.revoked.set(session.id, session.expires);
  }

  private parse(value: string | undefined): { name: string; expires: number; id: string } | undefined {
    const parts = value?.split('.');
    if (parts?.length !== 4) return undefined;
    const [name, expires, id, signature] = parts as [string, string, string, string];
    const expected = Buffer.from(this.sign(`${name}.${expires}.${id}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { name, expires: Number(expires), id };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
