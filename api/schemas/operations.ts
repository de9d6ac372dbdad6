import { z } from 'zod';
import { OPERATION_ACTIONS } from '../../workflows/operations/types';
import { named } from './registry';
import { SagaStatusSchema } from './statuses';

// Bulk operations on sagas: request bodies and responses of /operations.

/** Operation ids outside this shape cannot exist, so they are 404 without asking Temporal. */
export const OperationIdSchema = z.string().regex(/^op_[a-f0-9]{24}$/);

const stepName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a step name');
const failureType = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/, 'a failure type');
const note = z.string().trim().min(1).max(500);

export const OperationFilterSchema = named(
  'OperationFilter',
  'Which sagas: running ones of a type in a status, optionally parked on a step, for a failure type, started in a ' +
    "time range (a tenant-scoped key's own tenant's only).",
  z
    .object({
      sagaType: z.enum(['order', 'return']).default('order'),
      status: SagaStatusSchema,
      parkedStep: stepName.optional(),
      parkedReason: failureType.optional(),
      startedAfter: z.iso.datetime().optional(),
      startedBefore: z.iso.datetime().optional(),
    })
    .strict(),
);

export const OperationActionSchema = named(
  'OperationAction',
  "What each saga gets: one operator action (the saga's own Update, validated by it); `step` narrows it to one " +
    'parked step, a restart starts from `fromStep`.',
  z.union([
    z.object({ kind: z.literal('restart'), fromStep: stepName }).strict(),
    z
      .object({ kind: z.enum(OPERATION_ACTIONS.filter((kind) => kind !== 'restart')), step: stepName.optional() })
      .strict(),
  ]),
);

export const CreateOperationSchema = named(
  'CreateOperation',
  'Body of POST /operations: the filter, the action, why, and how fast. dryRun lists the sagas it would act on.',
  z
    .object({
      filter: OperationFilterSchema,
      action: OperationActionSchema,
      reason: note,
      dryRun: z.boolean().default(false),
      concurrency: z.number().int().min(1).max(20).default(5).describe('Updates in flight at once'),
      ratePerSecond: z.number().int().min(1).max(100).default(10).describe('Updates started per second at most'),
    })
    .strict(),
);
export type CreateOperation = z.infer<typeof CreateOperationSchema>;

export const OperationDryRunSchema = named(
  'OperationDryRun',
  'Answer of a dry run: exactly the sagas the operation would act on now, and the visibility query that finds them.',
  z.object({ dryRun: z.literal(true), query: z.string(), count: z.number().int(), targets: z.array(z.string()) }),
);

const OPERATION_STATUSES = ['LISTING', 'RUNNING', 'PAUSED', 'CANCELLED', 'COMPLETED', 'FAILED'] as const;

export const OperationAcceptedSchema = named(
  'OperationAccepted',
  'Answer of POST /operations: the operation runs as a workflow of its own; follow it at statusUrl.',
  z.object({ operationId: z.string(), status: z.enum(OPERATION_STATUSES), statusUrl: z.string() }),
);
export type OperationAccepted = z.infer<typeof OperationAcceptedSchema>;

export const OperationControlSchema = named(
  'OperationControl',
  'Body of POST /operations/{operationId}/pause, /resume and /cancel: why (kept in its audit trail).',
  z.object({ reason: note.optional() }).strict(),
);

const OUTCOMES = ['done', 'refused', 'skipped', 'failed', 'not-run'] as const;

export const OperationViewSchema = named(
  'OperationView',
  "A bulk operation: who asked, why and when, what it does to which sagas, each saga's outcome, its pauses and " +
    'cancel. Outcomes: done (the Update completed; detail is the saga status after), refused (the saga said why), ' +
    'skipped (it had moved on), failed (Temporal did not answer), not-run (cancelled before it).',
  z.object({
    operationId: z.string(),
    status: z.enum(OPERATION_STATUSES),
    by: z.string(),
    reason: z.string(),
    requestedAt: z.string(),
    finishedAt: z.string().optional(),
    failure: z
      .object({ type: z.string().optional(), message: z.string() })
      .optional()
      .describe(
        'FAILED: why no saga was acted on (its targets could not be listed; TOO_MANY_TARGETS: narrow the filter).',
      ),
    filter: z.record(z.string(), z.unknown()),
    action: z.record(z.string(), z.unknown()),
    concurrency: z.number().int(),
    ratePerSecond: z.number().int(),
    counts: z.object({
      targets: z.number().int(),
      done: z.number().int(),
      refused: z.number().int(),
      skipped: z.number().int(),
      failed: z.number().int(),
      notRun: z.number().int(),
      pending: z.number().int(),
    }),
    results: z.array(
      z.object({ workflowId: z.string(), outcome: z.enum(OUTCOMES), detail: z.string().optional(), at: z.string() }),
    ),
    events: z.array(
      z.object({
        action: z.enum(['pause', 'resume', 'cancel']),
        by: z.string(),
        reason: z.string().optional(),
        at: z.string(),
      }),
    ),
  }),
);
export type OperationView = z.infer<typeof OperationViewSchema>;

export const OperationEventSchema = named(
  'OperationEvent',
  'An event of GET /operations/{operationId}/events: the whole operation, as it is (`progress`) or once ended (`end`).',
  z.object({ type: z.enum(['progress', 'end']), operation: OperationViewSchema }),
);
