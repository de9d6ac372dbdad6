import { createHash, randomUUID } from 'node:crypto';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import {
  approveUpdate,
  cancelUpdate,
  resolveStepUpdate,
  restartUpdate,
  retryCompensationUpdate,
  retryStepUpdate,
  skipCompensationUpdate,
} from '../../workflows/order/messages';
import type { SagaState } from '@sagaflow/saga';
import type { ErrorCode } from '../errors';
import { ApiError, RETRY_AFTER_SECONDS } from '../errors';
import { correlate } from '../request-id';
import type { ActionResult, OrderAction } from '../schemas';
import {
  ApproveOrderSchema,
  CancelOrderSchema,
  ResolveStepSchema,
  RestartSchema,
  RetryCompensationSchema,
  RetryStepSchema,
  SkipCompensationSchema,
} from '../schemas';
import { isDeadlineExceeded, isWorkflowTaskFailing, withDeadline } from '../temporal';
import type { OrdersContext } from './common';
import { idempotencyScope } from './common';
import { isOpen, orderStatusOf, published } from './read-model';
import { stateFor } from './redact';
import { previousRuns } from './run-chain';
import { idempotencyKey } from './create';
import type { SagaIds, SagaTarget } from './target';

/** One saga action: its body schema, the workflow Update it sends, and the code for a refused Update. */
export interface ActionSpec<S extends z.ZodType, A> {
  action: OrderAction;
  body: S;
  update: UpdateDefinition<SagaState, [A]>;
  args: (body: z.infer<S>, req: Request) => A;
  /** The 409 code when the workflow's validator refuses the Update (its message is passed on). */
  refused: ErrorCode;
}

export const by = (req: Request) => req.apiKey!.name;
export const action = <S extends z.ZodType, A>(spec: ActionSpec<S, A>) => spec;

export const ACTIONS = {
  cancel: action({
    action: 'cancel',
    body: CancelOrderSchema,
    update: cancelUpdate,
    args: (body) => ({ reason: body.reason }),
    refused: 'CANCEL_REFUSED',
  }),
  approve: action({
    action: 'approve',
    body: ApproveOrderSchema,
    update: approveUpdate,
    args: (body, req) => ({ approved: body.approved, by: by(req), ...(body.reason ? { reason: body.reason } : {}) }),
    refused: 'NOT_AWAITING_APPROVAL',
  }),
  retryCompensation: action({
    action: 'retry-compensation',
    body: RetryCompensationSchema,
    update: retryCompensationUpdate,
    args: (body, req) => ({ by: by(req), ...(body.step ? { step: body.step } : {}) }),
    refused: 'NO_PARKED_COMPENSATION',
  }),
  skipCompensation: action({
    action: 'skip-compensation',
    body: SkipCompensationSchema,
    update: skipCompensationUpdate,
    args: (body, req) => ({ by: by(req), reason: body.reason, ...(body.step ? { step: body.step } : {}) }),
    refused: 'NO_PARKED_COMPENSATION',
  }),
  retryStep: action({
    action: 'retry-step',
    body: RetryStepSchema,
    update: retryStepUpdate,
    args: (body, req) => ({ by: by(req), ...(body.step ? { step: body.step } : {}) }),
    refused: 'NO_PARKED_STEP',
  }),
  resolveStep: action({
    action: 'resolve-step',
    body: ResolveStepSchema,
    update: resolveStepUpdate,
    args: (body, req) => ({ by: by(req), reason: body.reason, ...(body.step ? { step: body.step } : {}) }),
    refused: 'NO_PARKED_STEP',
  }),
  restart: action({
    action: 'restart',
    body: RestartSchema,
    update: restartUpdate,
    args: (body, req) => ({ from: body.fromStep, by: by(req), ...(body.reason ? { reason: body.reason } : {}) }),
    refused: 'RESTART_REFUSED',
  }),
};

/**
 * The Update id: with an Idempotency-Key, derived from it (so a retried request attaches to the same Update,
 * which Temporal deduplicates per workflow run, and gets its outcome; scoped by tenant, so also after a key
 * rotation); otherwise unique per request.
 */
function updateIdFor(req: Request, action: OrderAction, workflowId: string): string {
  const key = idempotencyKey(req.get('Idempotency-Key'), false);
  if (key === undefined) return `${action}:${req.id}:${randomUUID()}`;
  const digest = createHash('sha256')
    .update(`${idempotencyScope(req.apiKey!)}:${workflowId}:${key}`)
    .digest('hex');
  return `${action}:${digest.slice(0, 32)}`;
}

function causeMessage(err: Error): string {
  return err.cause instanceof Error ? err.cause.message : err.message;
}

function actionResult<I extends SagaIds>(
  target: SagaTarget<I>,
  ids: I,
  action: OrderAction,
  req: Request,
  state: SagaState,
): ActionResult {
  return {
    ...ids,
    action,
    done: true,
    status: state.status,
    statusUrl: target.statusUrl(ids),
    state: stateFor(req.apiKey!, state),
  };
}

/**
 * The outcome of the Update a keyed request would attach to, if the workflow run has one (the first request was
 * accepted before the saga closed, e.g. answered 503 ORDER_NOT_RESPONDING and taken once the worker was back);
 * undefined when there is none. A first request the workflow refused is refused again.
 */
async function earlierOutcome<S extends z.ZodType, A, I extends SagaIds>(
  { client, config }: OrdersContext,
  req: Request,
  spec: ActionSpec<S, A>,
  target: SagaTarget<I>,
  ids: I,
  runId: string,
  updateId: string,
): Promise<ActionResult | undefined> {
  let state: SagaState;
  try {
    state = await withDeadline(client, config.TEMPORAL_RPC_TIMEOUT_MS, () =>
      client.workflow.getHandle(target.workflowId(ids), runId).getUpdateHandle<SagaState>(updateId).result(),
    );
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new ApiError(spec.refused, causeMessage(err));
    req.log.debug({ err, updateId }, 'no earlier Update for this Idempotency-Key');
    return undefined;
  }
  req.log.info({ action: spec.action, updateId, runId }, 'answered a retried action from its Update');
  return actionResult(target, ids, spec.action, req, state);
}

/**
 * The outcome of a keyed request's Update in the runs `runs` yields, the first found: a retried restart reaches
 * the run its first request created, and must answer that request's outcome rather than act on the new run.
 */
async function outcomeInRuns<S extends z.ZodType, A, I extends SagaIds>(
  ctx: OrdersContext,
  req: Request,
  spec: ActionSpec<S, A>,
  target: SagaTarget<I>,
  ids: I,
  runs: AsyncIterable<string> | Iterable<string>,
  updateId: string,
): Promise<ActionResult | undefined> {
  if (req.get('Idempotency-Key') === undefined) return undefined;
  for await (const runId of runs) {
    const earlier = await earlierOutcome(ctx, req, spec, target, ids, runId, updateId);
    if (earlier) return earlier;
  }
  return undefined;
}

/**
 * POST <saga>/<action> — sends the workflow Update and answers its outcome: 200 with the saga state it
 * returned; 202 if it was accepted but is still running after UPDATE_TIMEOUT_MS; 409 with the action's code
 * and the workflow's reason when the workflow refuses it; 409 ORDER_CLOSED (RETURN_CLOSED) once the saga has ended.
 */
export function sagaAction<S extends z.ZodType, A, I extends SagaIds>(
  ctx: OrdersContext,
  target: SagaTarget<I>,
  spec: ActionSpec<S, A>,
): RequestHandler {
  const { client, config } = ctx;
  return async (req, res) => {
    const ids = target.ids(req);
    const workflowId = target.workflowId(ids);
    const body = spec.body.parse(req.body ?? {}) as z.infer<S>;
    correlate(req, workflowId);
    const updateId = updateIdFor(req, spec.action, workflowId);

    const description = await target.describe(ctx, req.apiKey!, ids);
    const closed = () =>
      target.closed(ids, orderStatusOf(description.status.name, published(description.typedSearchAttributes).status));
    // Only a run that continued from another has earlier runs (the first run of a chain is its own firstRunId).
    const firstRunId = description.raw.workflowExecutionInfo?.firstRunId;
    const earlierRuns = () =>
      firstRunId === description.runId
        ? []
        : previousRuns(client, config.TEMPORAL_RPC_TIMEOUT_MS, workflowId, description.runId);
    if (!isOpen(description.status.name)) {
      // A retry (same Idempotency-Key) of an action that took effect before the saga closed answers that outcome.
      const runs = (async function* () {
        yield description.runId;
        yield* earlierRuns();
      })();
      const earlier = await outcomeInRuns(ctx, req, spec, target, ids, runs, updateId);
      if (earlier) return res.json(earlier);
      throw closed();
    }
    // A retry of an action an earlier run took (a restart: the run it created is this one) answers that outcome.
    const earlier = await outcomeInRuns(ctx, req, spec, target, ids, earlierRuns(), updateId);
    if (earlier) return res.json(earlier);

    const handle = client.workflow.getHandle(workflowId, description.runId);
    const args = spec.args(body, req);
    let update;
    try {
      update = await withDeadline(client, config.TEMPORAL_RPC_TIMEOUT_MS, () =>
        handle.startUpdate(spec.update, { args: [args], updateId, waitForStage: 'ACCEPTED' }),
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw closed();
      if (err instanceof WorkflowUpdateFailedError) throw new ApiError(spec.refused, causeMessage(err));
      // Temporal answered describe() a moment ago: it is the workflow's worker that does not take the Update (it is
      // down, or its last workflow task failed and waits for its retry).
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isWorkflowTaskFailing(err)) {
        throw new ApiError(
          'ORDER_NOT_RESPONDING',
          'the saga did not take the request in time (its worker may be down); retry with the same Idempotency-Key',
          undefined,
          { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        );
      }
      throw err;
    }
    req.log.info({ action: spec.action, updateId }, 'order action accepted');

    let state: SagaState;
    try {
      state = await withDeadline(client, config.UPDATE_TIMEOUT_MS, () => update.result());
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        req.log.info({ action: spec.action, reason: causeMessage(err) }, 'order action refused');
        throw new ApiError(spec.refused, causeMessage(err));
      }
      if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isDeadlineExceeded(err)) {
        // Accepted, not finished yet (e.g. compensations still retrying): the outcome shows on the saga.
        const pending: ActionResult = {
          ...ids,
          action: spec.action,
          done: false,
          status: await target.currentStatus(ctx, req, ids),
          statusUrl: target.statusUrl(ids),
        };
        return res.status(202).location(pending.statusUrl).json(pending);
      }
      throw err;
    }
    res.json(actionResult(target, ids, spec.action, req, state));
  };
}
