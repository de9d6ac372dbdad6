import type { OperationFilter } from '../workflows/operations/types';

export const SAGA_WORKFLOW_TYPES = { order: 'orderFulfillment', return: 'orderReturn' } as const;

/**
 * The visibility query of a bulk operation's targets: running sagas of the filter's type (a restarted saga's
 * parked run continued as new, so only its latest run is running), narrowed by the filter. The API validated every
 * value against a closed alphabet (names, a status, ISO timestamps), so none changes the query's shape.
 */
export function operationTargetsQuery(filter: OperationFilter): string {
  const clauses = [
    `WorkflowType = "${SAGA_WORKFLOW_TYPES[filter.sagaType]}"`,
    'ExecutionStatus = "Running"',
    `OrderStatus = "${filter.status}"`,
  ];
  if (filter.tenant !== undefined) clauses.push(`TenantId = "${filter.tenant}"`);
  if (filter.parkedStep) clauses.push(`ParkedStep = "${filter.parkedStep}"`);
  if (filter.parkedReason) clauses.push(`ParkedReason = "${filter.parkedReason}"`);
  if (filter.startedAfter) clauses.push(`StartTime >= "${filter.startedAfter}"`);
  if (filter.startedBefore) clauses.push(`StartTime <= "${filter.startedBefore}"`);
  return clauses.join(' AND ');
}

/** At most this many sagas per operation: its history keeps one activity per saga. */
export const MAX_OPERATION_TARGETS = 2_000;
