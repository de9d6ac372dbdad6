import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCodecApp } from '../../codec-server/app';
import { loadCodecServerConfig } from '../../codec-server/config';
import { EncryptionCodec } from '../../lib/codec/encryption-codec';
import { generatePayloadKeyLine, parsePayloadKeys } from '../../lib/codec/payload-keys';
import type { PayloadKeyring } from '../../lib/codec/payload-keys';
import { listen } from '../../lib/http/listen';
import { createLogger } from '../../lib/logger';

// The codec server over real HTTP, speaking the protocol the Temporal Web UI and CLI use.
const OLD_KEY = generatePayloadKeyLine('k-old');
const NEW_KEY = generatePayloadKeyLine('k-new');
const TOKEN = 'codec-operator-secret-0001';
const UI_ORIGIN = 'http://127.0.0.1:8233';

let server: Server;
let url: string;

before(async () => {
  const config = loadCodecServerConfig({
    PAYLOAD_KEYS: `${NEW_KEY},${OLD_KEY}`,
    CODEC_TOKENS: `ops:${TOKEN}`,
    CODEC_CORS_ORIGINS: UI_ORIGIN,
    CODEC_AUTH_FAILURES_PER_MINUTE: '4',
  });
  const logger = createLogger({ test: 'codec' }).child({}, { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  server = await listen(createCodecApp({ config, logger }), 0, '127.0.0.1');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const keyring = (text: string) => parsePayloadKeys(text) as PayloadKeyring;
const toJson = (payloads: Payload[]) =>
  temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads }), { bytes: String });
const fromJson = (body: unknown) =>
  temporal.api.common.v1.Payloads.fromObject(body as Record<string, unknown>).payloads ?? [];

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify(body),
  });
}

async function encryptedWith(key: string, value: unknown): Promise<unknown> {
  return toJson(await new EncryptionCodec(keyring(key)).encode([defaultPayloadConverter.toPayload(value)]));
}

describe('codec server', () => {
  it('decodes payloads encrypted with the current and the previous key for a bearer token', async () => {
    const res = await post(
      '/decode',
      {
        payloads: [
          ...((await encryptedWith(OLD_KEY, 'old')) as { payloads: unknown[] }).payloads,
          ...((await encryptedWith(NEW_KEY, 'new')) as { payloads: unknown[] }).payloads,
        ],
      },
      { authorization: `Bearer ${TOKEN}` },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      fromJson(await res.json()).map((p) => defaultPayloadConverter.fromPayload(p)),
      ['old', 'new'],
    );
  });

  it('encodes with the current key, as the worker would', async () => {
    const plain = toJson([defaultPayloadConverter.toPayload({ customerId: 'cust-9' })]);
    const res = await post('/encode', plain, { authorization: `Bearer ${TOKEN}` });
    const [encoded] = fromJson(await res.json());
    assert.equal(Buffer.from(encoded!.metadata!['encryption-key-id']!).toString(), 'k-new');
    const [decoded] = await new EncryptionCodec(keyring(NEW_KEY)).decode([encoded!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), { customerId: 'cust-9' });
  });

  it('refuses callers without a valid token or session, and namespaces it does not serve', async () => {
    const body = await encryptedWith(NEW_KEY, 'secret');
    assert.equal((await post('/decode', body)).status, 401);
    assert.equal((await post('/decode', body, { authorization: 'Bearer wrong-token-000000' })).status, 401);
    assert.equal((await post('/decode', body, { cookie: 'sagaflow_codec=ops.99999999999999.forged' })).status, 401);
    const other = await post('/decode', body, { authorization: `Bearer ${TOKEN}`, 'x-namespace': 'payments' });
    assert.equal(other.status, 403);
    assert.equal((await post('/decode', { nope: 1 }, { authorization: `Bearer ${TOKEN}` })).status, 400);
  });

  it('signs in an operator at /login with a session cookie the browser sends back', async () => {
    const refused = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=not-the-token',
    });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('set-cookie'), null);

    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(TOKEN)}`,
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const res = await post('/decode', await encryptedWith(NEW_KEY, 'via-session'), {
      cookie: cookie.split(';')[0]!,
      origin: UI_ORIGIN,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.deepEqual(
      fromJson(await res.json()).map((p) => defaultPayloadConverter.fromPayload(p)),
      ['via-session'],
    );
  });

  // Issue 25, item 12: the codec server's sign-in and its edges.
  it('a signed-out session stays signed out, even when its cookie is sent again', async () => {
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(TOKEN)}`,
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const body = await encryptedWith(NEW_KEY, 'x');
    assert.equal((await post('/decode', body, { cookie })).status, 200);
    assert.equal((await fetch(`${url}/logout`, { method: 'POST', headers: { cookie } })).status, 204);
    assert.equal((await post('/decode', body, { cookie })).status, 401, 'the replayed cookie no longer works');
  });

  it('refuses a sign-in or sign-out posted from another site (login CSRF)', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const forged = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { ...form, origin: 'https://evil.example' },
      body: `token=${encodeURIComponent(TOKEN)}`,
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('set-cookie'), null);
    const own = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { ...form, origin: url },
      body: `token=${encodeURIComponent(TOKEN)}`,
    });
    assert.equal(own.status, 200, 'the login page posts from this origin');
    const out = await fetch(`${url}/logout`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    assert.equal(out.status, 403);
  });

  it('reads no body before it knows the caller', async () => {
    const res = await fetch(`${url}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"payloads": [ not json',
    });
    assert.equal(res.status, 401, 'unauthenticated: refused before parsing (a parse error would be 400)');
  });

  it("behind the operators' proxy (CODEC_TRUST_PROXY): a Secure cookie over TLS, and a lockout per operator", async () => {
    const config = loadCodecServerConfig({
      PAYLOAD_KEYS: NEW_KEY,
      CODEC_TOKENS: `ops:${TOKEN}`,
      CODEC_AUTH_FAILURES_PER_MINUTE: '2',
      CODEC_TRUST_PROXY: 'loopback',
    });
    assert.throws(() =>
      loadCodecServerConfig({ PAYLOAD_KEYS: NEW_KEY, CODEC_TOKENS: `ops:${TOKEN}`, CODEC_TRUST_PROXY: 'true' }),
    );
    const logger = createLogger({ test: 'codec' }).child({}, { level: 'silent' });
    const proxied = await listen(createCodecApp({ config, logger }), 0, '127.0.0.1');
    const base = `http://127.0.0.1:${(proxied.address() as AddressInfo).port}`;
    try {
      const login = (from: string, token: string) =>
        fetch(`${base}/login`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': from,
            'x-forwarded-proto': 'https',
          },
          body: `token=${encodeURIComponent(token)}`,
        });
      assert.match((await login('203.0.113.7', TOKEN)).headers.get('set-cookie') ?? '', /; Secure/);
      // One operator's wrong guesses lock that operator's address out, not the proxy's (everyone's).
      for (let i = 0; i < 3; i++) await login('203.0.113.66', `wrong-${i}-00000000`);
      assert.equal((await login('203.0.113.66', TOKEN)).status, 429);
      assert.equal((await login('203.0.113.7', TOKEN)).status, 200);
    } finally {
      await new Promise<void>((resolve) => proxied.close(() => resolve()));
    }
  });

  // Last: it spends this address's failure budget.
  it('limits wrong secrets per address: 429 once the budget is spent, even for the right one', async () => {
    const body = await encryptedWith(NEW_KEY, 'x');
    // Missing credentials (the UI before sign-in) cost nothing.
    for (let i = 0; i < 6; i++) assert.equal((await post('/decode', body)).status, 401);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await post('/decode', body, { authorization: `Bearer wrong-secret-${i}-0000` })).status);
    }
    assert.ok(statuses.includes(429), `statuses ${statuses}`);
    const right = await post('/decode', body, { authorization: `Bearer ${TOKEN}` });
    assert.equal(right.status, 429);
    assert.ok(Number(right.headers.get('retry-after')) >= 1);
  });

  it('refuses to start without keys or tokens', () => {
    assert.throws(
      () => loadCodecServerConfig({ CODEC_TOKENS: `ops:${TOKEN}` }),
      /the codec server needs the payload keys/,
    );
    assert.throws(() => loadCodecServerConfig({ PAYLOAD_KEYS: NEW_KEY }), /CODEC_TOKENS/);
    assert.throws(
      () => loadCodecServerConfig({ NODE_ENV: 'production', PAYLOAD_KEYS: NEW_KEY, CODEC_TOKENS: 'ops:short-secret' }),
      /at least 32 characters/,
    );
  });

  it('answers CORS preflights for the UI origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${url}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ok = await preflight(UI_ORIGIN);
    assert.equal(ok.status, 204);
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    const evil = await preflight('http://evil.example');
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });
});
