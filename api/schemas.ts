import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { z } from 'zod';
import { paymentMethodSchema } from '../services/payment/schemas';
import { currencySchema, eachSkuOnce, quantitySchema, skuSchema } from '../services/shared/schemas';
import type { ApprovalRecord } from '../workflows/order/types';
import type { SagaState, SagaStatus } from '../packages/saga';
import { ERROR_CODES } from './errors';

/**
 * The API's contract as zod schemas: request bodies and queries are validated with them, and the OpenAPI
 * document (api/openapi/) is generated from them, so the documentation cannot drift from the checks.
 * Every schema registered here becomes a named component schema. An order's fields are built from the services'
 * own schemas (services/shared, services/payment), so an order the API accepts is one the services accept.
 */
export const schemaRegistry = z.registry<{ id: string; description?: string }>();

function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  schemaRegistry.add(schema, { id, description });
  return schema;
}

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

// ── identifiers and headers ──────────────────────────────────────────────────────────────────────────

export const CustomerIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, _ and -');

/** Order ids outside this shape cannot exist, so they are 404 without asking Temporal. */
export const OrderIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x20-\x7E]+$/, 'printable ASCII only')
  .refine((key) => key.trim().length > 0, 'must not be blank');

// ── request bodies ───────────────────────────────────────────────────────────────────────────────────

const reason = z.string().trim().min(1).max(500);

export const OrderItemSchema = named(
  'OrderItem',
  'One order line.',
  z
    .object({
      sku: skuSchema,
      // The services take up to 10 000 of a sku; the API, up to 1000 per order.
      quantity: quantitySchema.max(1000),
    })
    .strict(),
);

export const CreateOrderSchema = named(
  'CreateOrder',
  'Body of POST /orders.',
  z
    .object({
      customerId: CustomerIdSchema,
      currency: currencySchema,
      items: z
        .array(OrderItemSchema)
        .min(1)
        .max(50)
        .superRefine(eachSkuOnce)
        .describe('1-50 lines, each sku at most once'),
      paymentMethod: paymentMethodSchema.describe(
        'a payment method the payment service takes (test tokens: tok_ok approves, tok_declined and ' +
          'tok_insufficient_funds are declined, tok_slow approves slowly, tok_flaky answers 503 at first, then approves)',
      ),
    })
    .strict(),
);
export type CreateOrder = z.infer<typeof CreateOrderSchema>;

export const CancelOrderSchema = named(
  'CancelOrder',
  'Body of POST /orders/{orderId}/cancel.',
  z.object({ reason }).strict(),
);

export const ApproveOrderSchema = named(
  'ApproveOrder',
  'Body of POST /orders/{orderId}/approve: the decision on an order waiting for manual approval.',
  z.object({ approved: z.boolean(), reason: reason.optional() }).strict(),
);

const step = z.string().min(1).max(64);

export const RetryCompensationSchema = named(
  'RetryCompensation',
  'Body of POST /orders/{orderId}/retry-compensation; every parked compensation when step is omitted.',
  z.object({ step: step.optional() }).strict(),
);

export const SkipCompensationSchema = named(
  'SkipCompensation',
  'Body of POST /orders/{orderId}/skip-compensation: why the compensation may be skipped (e.g. done by hand).',
  z.object({ step: step.optional(), reason }).strict(),
);

export const RetryStepSchema = named(
  'RetryStep',
  'Body of POST /orders/{orderId}/retry-step: retries the step after the pivot that failed for good (FORWARD_FAILED).',
  z.object({ step: step.optional() }).strict(),
);

export const ResolveStepSchema = named(
  'ResolveStep',
  'Body of POST /orders/{orderId}/resolve-step: why the parked step counts as done (e.g. done by hand).',
  z.object({ step: step.optional(), reason }).strict(),
);

// ── query strings ────────────────────────────────────────────────────────────────────────────────────

export const ListOrdersQuerySchema = z
  .object({
    status: SagaStatusSchema.optional(),
    customerId: CustomerIdSchema.optional(),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
    nextPageToken: z
      .string()
      .min(1)
      .max(4096)
      .regex(/^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/, 'a token from a previous page')
      .optional(),
  })
  .strict();

/** Longest wait a caller may ask for (Prefer: wait=N on POST /orders, ?wait=N on the events long-poll). */
export const MAX_WAIT_SECONDS = 60;
const waitSeconds = z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS);

export const GetOrderQuerySchema = z
  .object({
    consistency: z
      .enum(['published', 'strong'])
      .default('published')
      .describe(
        'published (default): what Temporal holds for the order, answered without its worker; strong: asks the ' +
          'running saga itself (a workflow Query, answered by a worker)',
      ),
  })
  .strict();

export const OrderEventsQuerySchema = z
  .object({
    wait: waitSeconds
      .optional()
      .describe('long-poll instead of a stream: answer JSON once there are events after `after`, or after N seconds'),
    after: z.coerce
      .number()
      .int()
      .min(0)
      .optional()
      .describe('only events after this id (the SSE id, as Last-Event-ID also gives it)'),
  })
  .strict();

/** `Prefer: wait=N` (RFC 7240) → N seconds, clamped to MAX_WAIT_SECONDS; undefined when absent or malformed. */
export function preferredWait(header: string | undefined): number | undefined {
  const match = /(?:^|[,;]\s*)wait\s*=\s*"?(\d{1,6})"?/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
}

// ── responses ────────────────────────────────────────────────────────────────────────────────────────

export const SagaStateSchema = named(
  'SagaState',
  'The saga state exposed by the workflow (times are epoch milliseconds of workflow time).',
  z.object({
    saga: z.string(),
    status: SagaStatusSchema,
    currentStep: z.string().optional(),
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
        since: z.number(),
        phase: z.enum(['compensation', 'forward']).optional(),
      }),
    ),
    failure: z.object({ step: z.string(), type: z.string(), message: z.string() }).optional(),
    cancellation: z.object({ reason: z.string(), at: z.number() }).optional(),
    waiting: z.object({ step: z.string(), reason: z.string(), until: z.number() }).optional(),
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
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export const ActionResultSchema = named(
  'ActionResult',
  'Outcome of an order action (a workflow Update). done=true (HTTP 200): the Update completed and state is ' +
    'the saga state it returned. done=false (HTTP 202): the Update was accepted but is still running ' +
    '(e.g. compensations retrying); poll statusUrl.',
  z.object({
    orderId: z.string(),
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
  'Readiness: whether Temporal answers (503 when not).',
  z.object({ status: z.enum(['ready', 'unavailable']), temporal: z.object({ namespace: z.string() }) }),
);
