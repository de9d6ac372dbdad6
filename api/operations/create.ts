import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { canonicalJson } from '../../lib/http/canonical-json';
import { operationTargetsQuery } from '../../lib/operation-query';
import { listOperationTargets, TooManyTargets } from '../../lib/operation-targets';
import { bulkOperation } from '../../workflows/operations/workflow';
import type { OperationFilter, OperationInput } from '../../workflows/operations/types';
import { ApiError } from '../errors';
import { idempotencyKey } from '../orders/create';
import type { OrdersContext } from '../orders/common';
import type { OperationAccepted } from '../schemas';
import { CreateOperationSchema } from '../schemas';
import { withDeadline } from '../temporal';
import { operationUrl, OPERATION_MEMO_KEY } from './common';
import { operationState } from './view';
import type { OperationMemo } from './common';

/**
 * POST /operations (operator, Idempotency-Key): a dry run answers the sagas the filter matches now; otherwise the
 * operation starts as a `bulkOperation` workflow whose id derives from the key, so a retried request finds the one it
 * started (the same key with another body is 422).
 */
export function createOperation(ctx: OrdersContext): RequestHandler {
  const { client, config } = ctx;
  return async (req, res) => {
    const key = idempotencyKey(req.get('Idempotency-Key'), true);
    const body = CreateOperationSchema.parse(req.body);
    const apiKey = req.apiKey!;
    const filter: OperationFilter = {
      ...body.filter,
      ...(apiKey.tenant !== undefined ? { tenant: apiKey.tenant } : {}),
    };
    const query = operationTargetsQuery(filter);
    if (body.dryRun) {
      const targets = await withDeadline(client, config.TEMPORAL_RPC_TIMEOUT_MS, () =>
        listOperationTargets(client, query).catch((err: unknown) => {
          throw err instanceof TooManyTargets ? new ApiError('TOO_MANY_TARGETS', err.message) : err;
        }),
      );
      res.json({ dryRun: true, query, count: targets.length, targets });
      return;
    }
    const digest = (text: string) => createHash('sha256').update(text).digest('hex');
    const operationId = `op_${digest(`operation\n${apiKey.tenant ?? ''}\n${apiKey.name}\n${key}`).slice(0, 24)}`;
    const request = digest(canonicalJson(body));
    const input: OperationInput = {
      operationId,
      by: apiKey.name,
      reason: body.reason,
      requestedAt: new Date().toISOString(),
      filter,
      action: body.action,
      concurrency: body.concurrency,
      ratePerSecond: body.ratePerSecond,
    };
    const memo: OperationMemo = { request, ...(apiKey.tenant !== undefined ? { tenant: apiKey.tenant } : {}) };
    let status: OperationAccepted['status'] = 'RUNNING';
    try {
      await withDeadline(client, config.TEMPORAL_RPC_TIMEOUT_MS, () =>
        client.workflow.start(bulkOperation, {
          taskQueue: config.TASK_QUEUE,
          workflowId: operationId,
          args: [input],
          memo: { [OPERATION_MEMO_KEY]: memo },
          staticSummary: `${body.action.kind} on ${filter.sagaType} sagas ${filter.status}, by ${apiKey.name}`,
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const handle = client.workflow.getHandle(operationId);
      const description = await handle.describe();
      const started = (description.memo?.[OPERATION_MEMO_KEY] ?? {}) as Partial<OperationMemo>;
      if (started.request !== request) {
        throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key started another operation');
      }
      status = (await operationState({ handle, description })).status;
    }
    const answer: OperationAccepted = { operationId, status, statusUrl: operationUrl(operationId) };
    res.status(202).location(answer.statusUrl).json(answer);
  };
}
