import type { ServiceDb } from '../../lib/db/service-db';

/**
 * A service database whose transactions can be paused right before one model call (`model.method`), so a test
 * can hold a transaction between its read and its write while another request runs.
 */
export interface PausableDb<Tx> {
  db: ServiceDb<Tx>;
  /**
   * Arms a pause before the next `model.method` call in a transaction (after `skip` such calls have passed);
   * resolves once a transaction reaches it.
   */
  pauseBefore(model: string, method: string, skip?: number): { reached: Promise<void>; release(): void };
}

export function pausable<Tx>(inner: ServiceDb<Tx>): PausableDb<Tx> {
  let armed: { model: string; method: string; skip: number; reach(): void; released: Promise<void> } | undefined;
  const wrapModel = (name: string, model: object) =>
    new Proxy(model, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const pause = armed;
          if (pause && pause.model === name && pause.method === prop && pause.skip-- <= 0) {
            armed = undefined;
            pause.reach();
            await pause.released;
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const wrapTx = (tx: Tx) =>
    new Proxy(tx as object, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value === 'function') return (value as (...a: unknown[]) => unknown).bind(target);
        if (typeof prop === 'string' && value && typeof value === 'object') return wrapModel(prop, value);
        return value;
      },
    }) as Tx;
  // `lock` gets the wrapped transaction, whose raw calls pass through bound to the real one.
  const db: ServiceDb<Tx> = { ...inner, transaction: (fn) => inner.transaction((tx) => fn(wrapTx(tx))) };
  return {
    db,
    pauseBefore(model, method, skip = 0) {
      let reach!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (reach = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      armed = { model, method, skip, reach, released };
      return { reached, release };
    },
  };
}
