import type { OrderInput } from '../../workflows/order/types';
import type { Mode } from './results';

/** The modes the bench worker runs (every mode but `api`, which runs on the stack's own worker). */
export type DirectMode = Exclude<Mode, 'api'>;

/** The workflows the direct modes start (bench/workflows). */
export type WorkflowType =
  'bareOrder' | 'bareOrderLocal' | 'bareOrderPivot' | 'handOrderLocal' | 'orderFulfillmentQuiet' | 'orderFulfillment';

/** The workflow each direct mode starts. */
const WORKFLOW_TYPES: Record<DirectMode, WorkflowType> = {
  bare: 'bareOrder',
  'bare-local': 'bareOrderLocal',
  'bare-pivot': 'bareOrderPivot',
  'hand-local': 'handOrderLocal',
  quiet: 'orderFulfillmentQuiet',
  engine: 'orderFulfillment',
  'engine-local': 'orderFulfillment',
  'engine-local-eager': 'orderFulfillment',
  steps: 'orderFulfillment',
  saga: 'orderFulfillment',
  'saga-local': 'orderFulfillment',
  'saga-local-eager': 'orderFulfillment',
};

/** Whether the mode's sagas are started by the bench worker itself, with eager workflow start. */
export const startsEagerly = (mode: Mode): boolean => mode.endsWith('-eager');

/** Whether the mode's sagas make the real service calls (the rest call no-op activities). */
export const callsServices = (mode: Mode): boolean => mode === 'saga' || mode.startsWith('saga-local');

/** What a direct mode starts: its workflow, the saga input beyond the order, and whether eagerly. */
export function directStart(mode: DirectMode): {
  workflowType: WorkflowType;
  input: Partial<OrderInput>;
  eager: boolean;
} {
  return {
    workflowType: WORKFLOW_TYPES[mode],
    input: {
      publishMode: mode === 'steps' ? 'every-step' : 'on-status-change',
      stepExecution: mode.includes('-local') ? 'local' : 'remote',
    },
    eager: startsEagerly(mode),
  };
}
