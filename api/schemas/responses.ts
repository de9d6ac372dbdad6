import { z } from 'zod';
import type { ApprovalRecord } from '../../workflows/order/types';
import type { SagaState } from '@sagaflow/saga';
import { ERROR_CODES } from '../errors';
import { named } from './registry';

import { OrderStatusSchema, SagaStatusSchema, WorkflowStatusSchema } from './statuses';

// ── responses ────────────────────────────────────────────────────────────────────────────────────────

export const SagaStateSchema = named(
  'SagaState',
  'The saga state exposed by the workflow (times are epoch milliseconds of workflow time).',
  z.object({
    saga: z.string(),
    status: SagaStatusSchema,
    currentStep: z.string().optional(),
    runningSteps: z
      .array(z.string())
      .optional()
      .describe('the steps of a group running at once (currentStep is the first of them)'),
    completedSteps: z.array(z.string()),
    compensations: z.array(
      z.object({
        step: z.string(),
        activity: z.string(),
        outcome: z.enum(['COMPENSATED', 'SKIPPED', 'FAILED']),
        attempts: z.number().int(),
        error: z.string().optional(),
        reason: z.string().optional(),
        at: z.number(),
      }),
    ),
    recoveries: z
      .array(
        z.object({
          step: z.string(),
          activity: z.string(),
          outcome: z.enum(['FAILED', 'RETRIED', 'RESOLVED']),
          attempts: z.number().int(),
          error: z.string().optional(),
          reason: z.string().optional(),
          at: z.number(),
        }),
      )
      .optional(),
    parked: z.array(
      z.object({
        step: z.string(),
        activity: z.string(),
        error: z.string(),
        type: z.string().optional().describe('the failure type it parked on (ParkedReason)'),
        since: z.number(),
        phase: z.enum(['compensation', 'forward']).optional(),
      }),
    ),
    failure: z.object({ step: z.string(), type: z.string(), message: z.string() }).optional(),
    cancellation: z.object({ reason: z.string(), at: z.number() }).optional(),
    waiting: z.object({ step: z.string(), reason: z.string(), until: z.number() }).optional(),
    restart: z
      .object({
        from: z.string(),
        by: z.string(),
        reason: z.string().optional(),
        count: z.number().int(),
        at: z.number(),
      })
      .optional()
      .describe('this run restarts an earlier one from step `from` (the `count`th restart), as `by` asked'),
    startedAt: z.number(),
    updatedAt: z.number(),
    finishedAt: z.number().optional(),
  }),
);
// Both directions: the documented state is exactly the workflow's.
const _stateMatches: [z.infer<typeof SagaStateSchema>, SagaState] = [
  {} as SagaState,
  {} as z.infer<typeof SagaStateSchema>,
];

export const ApprovalSchema = named(
  'Approval',
  'The manual approval decision, once made.',
  z.object({ approved: z.boolean(), by: z.string(), reason: z.string().optional(), at: z.number() }),
);
const _approvalMatches: [z.infer<typeof ApprovalSchema>, ApprovalRecord] = [
  {} as ApprovalRecord,
  {} as z.infer<typeof ApprovalSchema>,
];

export const OrderAcceptedSchema = named(
  'OrderAccepted',
  'Answer of POST /orders: the saga runs; poll statusUrl.',
  z.object({ orderId: z.string(), status: OrderStatusSchema, statusUrl: z.string() }),
);
export type OrderAccepted = z.infer<typeof OrderAcceptedSchema>;

export const STATUS_SOURCES = ['workflow-query', 'workflow-result', 'last-published'] as const;

export const OrderViewSchema = named(
  'Order',
  'An order as GET /orders/{orderId} reports it.',
  z.object({
    orderId: z.string(),
    status: OrderStatusSchema,
    workflowStatus: WorkflowStatusSchema,
    statusSource: z
      .enum(STATUS_SOURCES)
      .describe(
        'last-published (the default): the state the saga last published with its search attributes, read from ' +
          'Temporal without a worker (as of its last status change, or its last step with PUBLISH_SAGA_STEPS; ' +
          'state is absent for sagas started before they published it, or closed outside the saga); ' +
          'workflow-query: live from the running saga (?consistency=strong); workflow-result: the closed saga ' +
          'result (sagas that did not publish their state)',
      ),
    customerId: z.string().optional(),
    currency: z.string().optional(),
    totalMinor: z.number().int().optional().describe('order total in minor units, once priced'),
    currentStep: z.string().optional(),
    startedAt: z.iso.datetime(),
    closedAt: z.iso.datetime().optional(),
    state: SagaStateSchema.optional(),
    approval: ApprovalSchema.optional(),
  }),
);
export type OrderView = z.infer<typeof OrderViewSchema>;

export const OrderEventSchema = named(
  'OrderEvent',
  'A change of an order, from its workflow history: `status` when the saga status (or, with PUBLISH_SAGA_STEPS, ' +
    'the step) changed; one `end` when the workflow closed, with the final order. `id` is the history event id: ' +
    'resume after it with Last-Event-ID or ?after=.',
  z.object({
    id: z.number().int(),
    type: z.enum(['status', 'end']),
    orderId: z.string(),
    status: OrderStatusSchema,
    step: z.string().optional(),
    at: z.iso.datetime(),
    order: OrderViewSchema.optional(),
  }),
);
export type OrderEvent = z.infer<typeof OrderEventSchema>;

export const OrderStreamErrorSchema = named(
  'OrderStreamError',
  'The last event of a stream that failed (e.g. Temporal stopped answering): reconnect with Last-Event-ID.',
  z.object({
    type: z.literal('error'),
    error: z.object({ code: z.string(), message: z.string() }),
    requestId: z.string(),
  }),
);

export const OrderEventPageSchema = named(
  'OrderEventPage',
  'GET /orders/{orderId}/events?wait=N: the events after `after` (none when N seconds passed first).',
  z.object({
    orderId: z.string(),
    events: z.array(OrderEventSchema),
    ended: z.boolean().describe('the page holds the end event: nothing follows'),
    lastEventId: z.number().int().describe('pass as ?after= to get the events that follow'),
  }),
);

export const OrderSummarySchema = named(
  'OrderSummary',
  'An order as listed (from Temporal visibility, eventually consistent).',
  z.object({
    orderId: z.string(),
    status: OrderStatusSchema,
    workflowStatus: WorkflowStatusSchema,
    customerId: z.string().optional(),
    currency: z.string().optional(),
    step: z.string().optional(),
    totalMinor: z.number().int().optional(),
    parkedSteps: z.array(z.string()).optional().describe('The steps it is parked on for an operator'),
    parkedReasons: z.array(z.string()).optional().describe('The failure types those steps parked with'),
    startedAt: z.iso.datetime(),
    closedAt: z.iso.datetime().optional(),
  }),
);
export type OrderSummary = z.infer<typeof OrderSummarySchema>;

export const OrderListSchema = named(
  'OrderList',
  'A page of orders, newest first; pass nextPageToken to get the next page (null on the last).',
  z.object({ orders: z.array(OrderSummarySchema), nextPageToken: z.string().nullable() }),
);

export const ORDER_ACTIONS = [
  'cancel',
  'approve',
  'retry-compensation',
  'skip-compensation',
  'retry-step',
  'resolve-step',
  'parcel-received',
  'restart',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export const ActionResultSchema = named(
  'ActionResult',
  'Outcome of an action on an order or one of its returns (a workflow Update; returnId is set for a return). ' +
    'done=true (HTTP 200): the Update completed and state is ' +
    'the saga state it returned. done=false (HTTP 202): the Update was accepted but is still running ' +
    '(e.g. compensations retrying); poll statusUrl.',
  z.object({
    orderId: z.string(),
    returnId: z.string().optional(),
    action: z.enum(ORDER_ACTIONS),
    done: z.boolean(),
    status: OrderStatusSchema,
    statusUrl: z.string(),
    state: SagaStateSchema.optional(),
  }),
);
export type ActionResult = z.infer<typeof ActionResultSchema>;

export const ErrorSchema = named(
  'Error',
  'Every error: a stable code, a human message, optional details (e.g. validation issues) and the request id.',
  z.object({
    error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.unknown().optional() }),
    requestId: z.string(),
  }),
);

export const HealthSchema = named('Health', 'Liveness: the process answers.', z.object({ status: z.literal('ok') }));

export const ReadySchema = named(
  'Ready',
  "Readiness: whether Temporal answers and, with API_SAGA_WORKER=on, the API's own saga worker runs (503 when not).",
  z.object({
    status: z.enum(['ready', 'unavailable']),
    temporal: z.object({ namespace: z.string() }),
    /** With API_SAGA_WORKER=on: whether the API's own saga worker runs yet. */
    sagaWorker: z.enum(['running', 'starting']).optional(),
  }),
);
