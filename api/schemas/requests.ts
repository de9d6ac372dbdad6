import { z } from 'zod';
import { paymentMethodSchema } from '../../services/payment/schemas';
import { currencySchema, eachSkuOnce, quantitySchema, skuSchema } from '../../services/shared/schemas';
import { named } from './registry';

import { SagaStatusSchema } from './statuses';

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

export const RestartSchema = named(
  'Restart',
  "Body of POST /orders/{orderId}/restart (and a return's): the step to restart the saga parked after its point of " +
    'no return (FORWARD_FAILED) from, a step after the pivot up to the parked one, and why.',
  z.object({ fromStep: step, reason: reason.optional() }).strict(),
);

// ── query strings ────────────────────────────────────────────────────────────────────────────────────

export const ListOrdersQuerySchema = z
  .object({
    status: SagaStatusSchema.optional(),
    customerId: CustomerIdSchema.optional(),
    parkedStep: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a step name')
      .optional()
      .describe('Only sagas parked for an operator on this step'),
    parkedReason: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/, 'a failure type')
      .optional()
      .describe('Only sagas parked with this failure type (e.g. PAYMENT_PROVIDER_DOWN, TIMEOUT_START_TO_CLOSE)'),
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
