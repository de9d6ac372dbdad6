import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { RequestHandler } from 'express';
import { orderStartSearchAttributes } from '../../lib/search-attributes';
import type { orderReturn } from '../../workflows/returns/workflow';
import type { ReturnInput } from '../../workflows/returns/types';
import { ApiError } from '../errors';
import { correlate } from '../request-id';
import type { CreateReturn, ReturnAccepted } from '../schemas';
import { CreateReturnSchema } from '../schemas';
import type { OrdersContext } from '../orders/common';
import { creatingTenant, parseOrderId, requestHash, startSaga } from '../orders/common';
import { describeOrder, orderStatusOf, published } from '../orders/read-model';
import { idempotencyKey } from '../orders/create';
import type { ReturnApiMemo } from './common';
import { describeReturn, RETURN_WORKFLOW_TYPE, returnIdFor, returnUrl } from './common';

function summary(returnId: string, orderId: string, body: CreateReturn): string {
  const units = body.items.reduce((sum, item) => sum + item.quantity, 0);
  return `Return ${returnId} of order ${orderId}: ${units} ${units === 1 ? 'unit' : 'units'}`;
}

/**
 * POST /orders/:id/returns: starts the returns saga of a completed order, with workflow id = return id (derived
 * from the tenant, the order and the Idempotency-Key) under REJECT_DUPLICATE, so one key never starts a second
 * return; a replay with the same body answers the same return (Idempotent-Replay: true), another body is 422.
 */
export function createReturn(ctx: OrdersContext): RequestHandler {
  const { config } = ctx;
  return async (req, res) => {
    const apiKey = req.apiKey!;
    const tenant = creatingTenant(apiKey);
    const orderId = parseOrderId(req.params.id);
    const key = idempotencyKey(req.get('Idempotency-Key'), true);
    const body = CreateReturnSchema.parse(req.body ?? {});
    const returnId = returnIdFor(tenant, orderId, key);
    correlate(req, returnId);
    const hash = requestHash(body);
    const ids = { orderId, returnId };
    const answer = (status: ReturnAccepted['status']) => {
      const accepted: ReturnAccepted = { returnId, orderId, status, statusUrl: returnUrl(orderId, returnId) };
      res.status(202).location(accepted.statusUrl).json(accepted);
    };

    const order = await describeOrder(ctx, apiKey, orderId);
    const attributes = published(order.typedSearchAttributes);
    const orderStatus = orderStatusOf(order.status.name, attributes.status);
    if (orderStatus !== 'COMPLETED') {
      throw new ApiError(
        'ORDER_NOT_RETURNABLE',
        `order ${orderId} is ${orderStatus}; only a completed order takes returns`,
        { status: orderStatus },
      );
    }
    const input: ReturnInput = {
      returnId,
      orderId,
      items: body.items,
      ...(body.reason ? { reason: body.reason } : {}),
      // Resolved into the saga's input, as for orders: a setting changed later never changes this return.
      approvalThresholdMinor: config.RETURN_APPROVAL_THRESHOLD_MINOR,
      approvalTimeout: config.APPROVAL_TIMEOUT,
      parcelTimeout: config.RETURN_PARCEL_TIMEOUT,
      stepExecution: config.SAGA_STEP_EXECUTION,
    };
    const memo: ReturnApiMemo = { requestHash: hash, tenant, orderId, apiKey: apiKey.name, requestId: req.id };
    try {
      const handle = await startSaga(ctx, (starter, eager) =>
        starter.workflow.start<typeof orderReturn>(RETURN_WORKFLOW_TYPE, {
          workflowId: returnId,
          taskQueue: config.TASK_QUEUE,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          memo: { ...memo },
          // The order's CustomerId (already the keyed hash the API stores), so operators find a customer's returns.
          typedSearchAttributes: orderStartSearchAttributes(attributes.customerId, tenant),
          staticSummary: summary(returnId, orderId, body),
          staticDetails: `started through the API for tenant \`${tenant}\` by key \`${apiKey.name}\` (request \`${req.id}\`)`,
          requestEagerStart: eager,
        }),
      );
      req.log.info({ orderId, lines: body.items.length, eager: handle.eagerlyStarted }, 'return saga started');
      return answer('RUNNING');
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }

    // The key was used before for this order: the same request is a replay, another one is a conflict.
    const description = await describeReturn(ctx, apiKey, ids);
    if ((description.memo as Partial<ReturnApiMemo> | undefined)?.requestHash !== hash) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body',
        { returnId },
      );
    }
    req.log.info('idempotent replay of a return request');
    res.setHeader('Idempotent-Replay', 'true');
    answer(orderStatusOf(description.status.name, published(description.typedSearchAttributes).status));
  };
}
