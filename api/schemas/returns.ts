import { z } from 'zod';
import { eachSkuOnce } from '../../services/shared/schemas';
import { named } from './registry';
import { OrderItemSchema } from './requests';
import { ApprovalSchema, SagaStateSchema, STATUS_SOURCES } from './responses';
import { OrderStatusSchema, WorkflowStatusSchema } from './statuses';

// The returns of an order: request bodies and responses of /orders/{orderId}/returns.

/** Return ids outside this shape cannot exist, so they are 404 without asking Temporal. */
export const ReturnIdSchema = z.string().regex(/^ret_[a-f0-9]{24}$/);

const note = z.string().trim().min(1).max(500);

export const CreateReturnSchema = named(
  'CreateReturn',
  'Body of POST /orders/{orderId}/returns: the units to send back (at most what the order holds, across its open ' +
    'returns; the order service checks) and why.',
  z
    .object({
      items: z.array(OrderItemSchema).min(1).max(50).superRefine(eachSkuOnce).describe('each sku at most once'),
      reason: note.optional(),
    })
    .strict(),
);
export type CreateReturn = z.infer<typeof CreateReturnSchema>;

export const ParcelReceivedSchema = named(
  'ParcelReceived',
  'Body of POST /orders/{orderId}/returns/{returnId}/parcel-received: the warehouse took the parcel in.',
  z.object({ note: note.optional() }).strict(),
);

export const ReturnAcceptedSchema = named(
  'ReturnAccepted',
  'Answer of POST /orders/{orderId}/returns: the return saga runs; follow it at statusUrl.',
  z.object({ returnId: z.string(), orderId: z.string(), status: OrderStatusSchema, statusUrl: z.string() }),
);
export type ReturnAccepted = z.infer<typeof ReturnAcceptedSchema>;

export const ReturnViewSchema = named(
  'Return',
  'A return as GET /orders/{orderId}/returns/{returnId} reports it: the state its saga last published (memo and ' +
    'search attributes, read without a worker), or with ?consistency=strong the running saga itself.',
  z.object({
    returnId: z.string(),
    orderId: z.string(),
    status: OrderStatusSchema,
    workflowStatus: WorkflowStatusSchema,
    statusSource: z.enum(STATUS_SOURCES),
    refundMinor: z.number().int().optional().describe('what the return refunds, once the order service priced it'),
    currency: z.string().optional(),
    trackingNumber: z.string().optional().describe('the carrier label, once issued'),
    parcel: z
      .object({ by: z.string(), note: z.string().optional(), at: z.number() })
      .optional()
      .describe('who took the parcel in, and when (epoch ms)'),
    currentStep: z.string().optional(),
    startedAt: z.iso.datetime(),
    closedAt: z.iso.datetime().optional(),
    state: SagaStateSchema.optional(),
    approval: ApprovalSchema.optional(),
  }),
);
export type ReturnView = z.infer<typeof ReturnViewSchema>;
