import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newKey, type TestService } from './helpers';

/** A valid mutating request of the service under test (a fresh one per call: new ids). */
export type SampleMutation = () => { path: string; body: Record<string, unknown> };

const errorShape = (body: unknown, code: string) => {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error;
  assert.ok(error, `expected an error body, got ${JSON.stringify(body)}`);
  assert.equal(error.code, code);
  assert.equal(typeof error.message, 'string');
  assert.ok('details' in error);
};

/** The contract every service shares: health, auth, JSON errors, body limits, idempotency keys. */
export function sharedContractTests<Tx>(service: () => TestService<Tx>, sample: SampleMutation): void {
  it('GET /health answers without a token; GET /ready checks the database', async () => {
    const health = await service().get('/health', { token: null });
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    const ready = await service().get('/ready', { token: null });
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
  });

  it('every other route needs the bearer token: 401 without it or with a wrong one', async () => {
    const { path, body } = sample();
    for (const token of [null, 'wrong-token']) {
      const read = await service().get('/no-such-route', { token });
      assert.equal(read.status, 401);
      errorShape(read.body, 'UNAUTHORIZED');
      assert.equal(read.headers.get('www-authenticate'), 'Bearer');
      const write = await service().post(path, body, { token, key: newKey() });
      assert.equal(write.status, 401);
      errorShape(write.body, 'UNAUTHORIZED');
    }
  });

  it('unknown routes are JSON 404s', async () => {
    const answer = await service().get('/no-such-route');
    assert.equal(answer.status, 404);
    errorShape(answer.body, 'NOT_FOUND');
  });

  it('a mutating request without an Idempotency-Key is 400, and changes nothing', async () => {
    const { path, body } = sample();
    const answer = await service().post(path, body);
    assert.equal(answer.status, 400);
    errorShape(answer.body, 'VALIDATION_ERROR');
    assert.equal(answer.body.error.details.issues[0].path, 'headers.idempotency-key');
    const again = await service().post(path, body, { key: newKey() });
    assert.ok(again.status === 201 || again.status === 200, `the first real request applies: ${again.status}`);
  });

  it('replaying a key returns the first answer; the same key with another body is 422', async () => {
    const first = sample();
    const key = newKey();
    const original = await service().post(first.path, first.body, { key });
    assert.equal(original.status, 201);
    assert.equal(original.headers.get('idempotent-replayed'), null);
    const replay = await service().post(first.path, first.body, { key });
    assert.equal(replay.status, 201);
    assert.deepEqual(replay.body, original.body);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    // Key order in the body does not matter.
    const reordered = Object.fromEntries(Object.entries(first.body).reverse());
    assert.deepEqual((await service().post(first.path, reordered, { key })).body, original.body);
    const other = sample();
    const reused = await service().post(other.path, other.body, { key });
    assert.equal(reused.status, 422);
    errorShape(reused.body, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('malformed JSON is 400, a body over 64kb is 413, a bad Idempotency-Key is 400', async () => {
    const { path, body } = sample();
    const malformed = await service().post(path, undefined, { key: newKey(), raw: '{"orderId": ' });
    assert.equal(malformed.status, 400);
    errorShape(malformed.body, 'VALIDATION_ERROR');
    const huge = await service().post(path, { ...body, padding: 'x'.repeat(70 * 1024) }, { key: newKey() });
    assert.equal(huge.status, 413);
    errorShape(huge.body, 'PAYLOAD_TOO_LARGE');
    for (const key of ['has space', 'x'.repeat(256)]) {
      const badKey = await service().post(path, body, { key });
      assert.equal(badKey.status, 400, key);
      errorShape(badKey.body, 'VALIDATION_ERROR');
    }
  });

  it('bodies that are not objects, and unknown fields, are 400 with zod issues', async () => {
    const { path, body } = sample();
    for (const raw of ['null', '[]', '"text"', '42']) {
      const answer = await service().post(path, undefined, { key: newKey(), raw });
      assert.equal(answer.status, 400, raw);
      errorShape(answer.body, 'VALIDATION_ERROR');
    }
    const unknown = await service().post(path, { ...body, surprise: true }, { key: newKey() });
    assert.equal(unknown.status, 400);
    const issue = unknown.body.error.details.issues[0];
    assert.equal(issue.code, 'unrecognized_keys');
    assert.deepEqual(issue.keys, ['surprise']);
  });
}

export { errorShape };
