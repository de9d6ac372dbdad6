import type { SagaState } from '@sagaflow/saga';
import type { ApiKey } from '../config';

/**
 * What a client key may see of a saga state: failure messages and compensation errors can carry service
 * addresses and transport errors (`connect ECONNREFUSED 10.0.0.7:7102`), so a client gets the failure's stable
 * type with a fixed message and no error texts, and a restart without the operator's name and reason; operators
 * see everything.
 */
export function stateFor(key: ApiKey, state: SagaState): SagaState {
  if (key.role === 'operator') return state;
  const withoutError = <T extends { error?: string }>({ error: _error, ...rest }: T) => rest;
  return {
    ...state,
    compensations: state.compensations.map(withoutError),
    ...(state.recoveries ? { recoveries: state.recoveries.map(withoutError) } : {}),
    parked: state.parked.map((p) => ({ ...p, error: 'shown to operators only' })),
    ...(state.failure
      ? { failure: { ...state.failure, message: `step ${state.failure.step} failed: ${state.failure.type}` } }
      : {}),
    ...(state.restart ? { restart: withoutPeople(state.restart, 'operator') } : {}),
  };
}

/**
 * Who decided and their words are the operators' (names, internal notes): a client sees what was decided and when,
 * by a role (`operator`, `warehouse`) instead of a name.
 */
function withoutPeople<T extends { by: string; reason?: string; note?: string }>(record: T, role: string): T {
  const { reason: _reason, note: _note, ...rest } = record;
  return { ...rest, by: role } as T;
}

/** An operator's decision (`operator`) or the warehouse's receipt of a parcel (`warehouse`), as `key` may see it. */
export function decisionFor<T extends { by: string; reason?: string; note?: string }>(
  key: ApiKey,
  record: T,
  role: 'operator' | 'warehouse' = 'operator',
): T {
  return key.role === 'operator' ? record : withoutPeople(record, role);
}
