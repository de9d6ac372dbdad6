import type { SagaState } from '../../packages/saga';
import type { ApiKey } from '../config';

/**
 * What a client key may see of a saga state: failure messages and compensation errors can carry service
 * addresses and transport errors (`connect ECONNREFUSED 10.0.0.7:7102`), so a client gets the failure's stable
 * type with a fixed message and no error texts; operators see everything.
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
  };
}
