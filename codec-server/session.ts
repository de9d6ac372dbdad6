import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed session values for the /login cookie: `name.expiresAt.signature`. The signing key lives only in this
 * process, so a restart signs everybody out, which is acceptable for an operator tool and keeps no state.
 */
export class Sessions {
  private readonly key = randomBytes(32);

  constructor(private readonly ttlMs: number) {}

  issue(name: string, now = Date.now()): { value: string; maxAgeSeconds: number } {
    const body = `${name}.${now + this.ttlMs}`;
    return { value: `${body}.${this.sign(body)}`, maxAgeSeconds: Math.floor(this.ttlMs / 1000) };
  }

  /** The signed-in name, or undefined for a missing, forged or expired session. */
  verify(value: string | undefined, now = Date.now()): string | undefined {
    const parts = value?.split('.');
    if (parts?.length !== 3) return undefined;
    const [name, expires, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${name}.${expires}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return Number(expires) > now ? name : undefined;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
