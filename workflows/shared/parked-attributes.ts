import type { SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
import type { SagaState } from '@sagaflow/saga';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';

/**
 * Patch id: the sagas publish what they are parked on (ParkedStep, ParkedReason) with their status, so operators find
 * every saga parked for one cause (before: the status alone). Sagas that parked before it replay without them.
 */
export const PARKED_ATTRIBUTES_PATCH = 'saga-parked-search-attributes';

/** What a saga is parked on: its parked steps, and the failure types they parked with. */
export interface ParkedValues {
  steps: string[];
  reasons: string[];
}

const unique = (values: string[]) => [...new Set(values)];

/** What `state` is parked on (nothing when it waits for no operator). */
export function parkedOf(state: SagaState): ParkedValues {
  return {
    steps: unique(state.parked.map((p) => p.step)),
    reasons: unique(state.parked.map((p) => p.type ?? 'UNKNOWN')),
  };
}

/** What the run's search attributes say it is parked on: a run continued by a restart inherits its predecessor's. */
export function parkedPublished(attributes: TypedSearchAttributes): ParkedValues {
  return {
    steps: [...(attributes.get(SEARCH_ATTRIBUTES.ParkedStep) ?? [])],
    reasons: [...(attributes.get(SEARCH_ATTRIBUTES.ParkedReason) ?? [])],
  };
}

export function sameParked(a: ParkedValues, b: ParkedValues): boolean {
  return a.steps.join('\n') === b.steps.join('\n') && a.reasons.join('\n') === b.reasons.join('\n');
}

/** The upserts that publish `values`; with nothing parked they remove both attributes. */
export function parkedUpdates(values: ParkedValues): SearchAttributeUpdatePair[] {
  const none = values.steps.length === 0;
  return [
    { key: SEARCH_ATTRIBUTES.ParkedStep, value: none ? null : values.steps },
    { key: SEARCH_ATTRIBUTES.ParkedReason, value: none ? null : values.reasons },
  ];
}
