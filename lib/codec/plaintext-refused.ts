// What a worker that refuses plaintext payloads (PAYLOAD_PLAINTEXT=refuse) decodes one into: this marker value, in
// place of whatever it said. The workflows' inbound interceptor (lib/codec/refuse-plaintext-interceptor.ts) refuses any start, Update,
// signal or query whose arguments hold it, so nothing sent to Temporal's frontend without the payload keys is acted
// on, and the workflow task itself never fails on it (a throwing codec would fail the task over and over). Workflow
// safe: no Node imports.

/** The marker's only field. */
export const PLAINTEXT_REFUSED_FIELD = 'sagaflowPlaintextRefused';

export const PLAINTEXT_REFUSED_MESSAGE =
  'a payload was not encrypted with the payload keys: refused (the worker runs with PAYLOAD_PLAINTEXT=refuse)';

/** Whether a decoded value is the marker of a refused plaintext payload. */
export function isPlaintextRefused(value: unknown): boolean {
  return typeof value === 'object' && value !== null && PLAINTEXT_REFUSED_FIELD in value;
}
