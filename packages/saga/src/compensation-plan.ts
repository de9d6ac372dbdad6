import { patched } from '@temporalio/workflow';
import type { CompensationOrder, SagaDefinition } from './definition';
import type { SagaFailure } from './state';

/**
 * Turns the registered compensations (in registration order) into batches: batches run one after another,
 * the compensations inside a batch at the same time.
 */
export function planCompensations(registered: string[], order: CompensationOrder = { kind: 'reverse' }): string[][] {
  const reversed = [...registered].reverse();
  switch (order.kind) {
    case 'reverse':
      return reversed.map((name) => [name]);
    case 'parallel':
      return reversed.length > 0 ? [reversed] : [];
    case 'grouped': {
      const grouped = order.groups
        .map((group) => group.filter((name) => registered.includes(name)))
        .filter((group) => group.length > 0);
      const named = new Set(order.groups.flat());
      const rest = reversed.filter((name) => !named.has(name)).map((name) => [name]);
      return [...grouped, ...rest];
    }
  }
}

/**
 * Whether the failed step's action failed with one of its `noEffectOn` types: it changed nothing of this saga's,
 * so its compensation is withdrawn (the saga never undoes another's work).
 */
export function hadNoEffect<C>(definition: SagaDefinition<C>, failure: SagaFailure): boolean {
  const step = definition.steps.find((s) => s.name === failure.step);
  const entry = step?.noEffectOn?.find((e) => (typeof e === 'string' ? e : e.type) === failure.type);
  if (entry === undefined) return false;
  // A patched entry marks the history only on the path it changes (this failure type at this step).
  return typeof entry === 'string' || patched(entry.patch);
}
