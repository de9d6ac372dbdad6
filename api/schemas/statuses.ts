import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { z } from 'zod';
import type { SagaStatus } from '@sagaflow/saga';
import { named } from './registry';

// ── statuses ─────────────────────────────────────────────────────────────────────────────────────────

export const SAGA_STATUSES = [
  'RUNNING',
  'AWAITING_APPROVAL',
  'COMPENSATING',
  'COMPENSATION_FAILED',
  'FORWARD_FAILED',
  'COMPLETED',
  'COMPENSATED',
  'CANCELLED',
] as const satisfies readonly SagaStatus[];
// Fails to compile when the saga gains a status this list does not have.
const _everySagaStatus: Exclude<SagaStatus, (typeof SAGA_STATUSES)[number]> extends never ? true : never = true;

export const SagaStatusSchema = named(
  'SagaStatus',
  'Lifecycle of an order saga (also the OrderStatus search attribute).',
  z.enum(SAGA_STATUSES),
);

export const OrderStatusSchema = named(
  'OrderStatus',
  'The order status: the saga status, or ABORTED when its workflow was closed outside the saga (terminated, ' +
    'failed or timed out) before the saga reached a final status; workflowStatus then says how.',
  z.enum([...SAGA_STATUSES, 'ABORTED']),
);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

const WORKFLOW_STATUSES = [
  'UNSPECIFIED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'CONTINUED_AS_NEW',
  'TIMED_OUT',
  'PAUSED',
  'UNKNOWN',
] as const satisfies readonly WorkflowExecutionStatusName[];
const _everyWorkflowStatus: Exclude<WorkflowExecutionStatusName, (typeof WORKFLOW_STATUSES)[number]> extends never
  ? true
  : never = true;

export const WorkflowStatusSchema = named(
  'WorkflowStatus',
  "The Temporal workflow execution's status.",
  z.enum(WORKFLOW_STATUSES),
);
