import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Request, RequestHandler, Response } from 'express';
import { orderStartSearchAttributes } from '../../lib/search-attributes';
import { customerSearchValue } from '../../lib/codec/customer-ref';
import type { OrderInput } from '../../workflows/order/types';
import type { orderFulfillment } from '../../workflows/order/workflow';
import { acceptsFaultTestCards, FAULT_TEST_CARDS } from '../config';
import { ApiError } from '../errors';
import { correlate } from '../request-id';
import type { CreateOrder, OrderAccepted, OrderStatus } from '../schemas';
import { CreateOrderSchema, IdempotencyKeySchema, preferredWait } from '../schemas';
import type { OrderMemo, OrdersContext } from './common';
import { orderView } from './read-model';
import { creatingTenant, waiterOf, ORDER_WORKFLOW_TYPE, orderIdFor, requestHash, startSaga, statusUrl } from './common';
import { describeOrder, ended, endsWithin, memoOf, orderStatusOf, published } from './read-model';

/** The Idempotency-Key header, required and 1-200 printable ASCII characters; 400 INVALID_IDEMPOTENCY_KEY otherwise. */
export function idempotencyKey(header: string | undefined, required: true): string;
export function idempotencyKey(header: string | undefined, required: false): string | undefined;
export function idempotencyKey(header: string | undefined, required: boolean): string | undefined {
  if (header === undefined) {
    if (!required) return undefined;
    throw new ApiError(
      'INVALID_IDEMPOTENCY_KEY',
      'the Idempotency-Key header is required (1-200 printable characters)',
    );
  }
  const parsed = IdempotencyKeySchema.safeParse(header);
  if (!parsed.success) {
    throw new ApiError(
      'INVALID_IDEMPOTENCY_KEY',
      'the Idempotency-Key header must be 1-200 printable ASCII characters',
    );
  }
  return parsed.data;
}

function summary(orderId: string, order: CreateOrder): string {
  const units = order.items.reduce((sum, item) => sum + item.quantity, 0);
  const lines = order.items.length === 1 ? '1 line' : `${order.items.length} lines`;
  return `Order ${orderId} for ${order.customerId}: ${lines}, ${units} units, ${order.currency}`;
}

function details(orderId: string, order: CreateOrder, tenant: string, apiKey: string, requestId: string): string {
  return [
    `**Order ${orderId}** for customer \`${order.customerId}\`, paid in ${order.currency} with \`${order.paymentMethod}\``,
    '',
    ...order.items.map((item) => `- ${item.quantity} × \`${item.sku}\``),
    '',
    `started through the API for tenant \`${tenant}\` by key \`${apiKey}\` (request \`${requestId}\`)`,
  ].join('\n');
}

function accepted(res: Response, orderId: string, status: OrderStatus): void {
  const body: OrderAccepted = { orderId, status, statusUrl: statusUrl(orderId) };
  res.status(202).location(body.statusUrl).json(body);
}

/**
 * With `Prefer: wait=N`: waits up to N seconds for the saga to end (a result long-poll on the Temporal server, no
 * worker involved) and answers 200 with the final order; 202 as without it when it is still running then.
 */
async function answer(
  ctx: OrdersContext,
  req: Request,
  res: Response,
  orderId: string,
  status: OrderStatus,
): Promise<void> {
  const wait = preferredWait(req.get('Prefer'));
  if (wait === undefined) return accepted(res, orderId, status);
  res.setHeader('Vary', 'Prefer');
  // A wait holds a history long-poll: past the process's or the tenant's cap the answer comes at once, unwaited.
  const release = wait > 0 && !ended(status) ? ctx.waits.acquire(waiterOf(req.apiKey!)) : () => undefined;
  if (!release) return accepted(res, orderId, status);
  try {
    res.setHeader('Preference-Applied', `wait=${wait}`);
    if (wait > 0 && !ended(status) && !(await endsWithin(ctx, req, orderId, wait))) {
      return accepted(res, orderId, 'RUNNING');
    }
    const view = await orderView(ctx, req, orderId);
    if (!ended(view.status)) return accepted(res, orderId, view.status);
    res.status(200).location(statusUrl(orderId)).json(view);
  } catch (err) {
    // The saga exists (it was just started, or this is a replay): a failure while waiting for its outcome (the
    // namespace's quota spent, Temporal unreachable) must not read as a failed order. 202: ask again later.
    req.log.warn({ err }, 'waiting for the outcome failed; answering 202');
    res.removeHeader('Preference-Applied');
    accepted(res, orderId, status);
  } finally {
    release();
  }
}

/**
 * POST /orders: starts the order saga with workflow id = order id (derived from tenant + Idempotency-Key)
 * under REJECT_DUPLICATE, so one key never starts a second saga, even after the first one closed. A replay
 * with the same body answers the same order (Idempotent-Replay: true); a different body is 422. With
 * `Prefer: wait=N` the answer waits up to N seconds for the outcome.
 */
export function createOrder(ctx: OrdersContext): RequestHandler {
  const { config } = ctx;
  return async (req, res) => {
    const apiKey = req.apiKey!;
    const tenant = creatingTenant(apiKey);
    const key = idempotencyKey(req.get('Idempotency-Key'), true);
    const order = CreateOrderSchema.parse(req.body ?? {});
    if (!acceptsFaultTestCards(config) && (FAULT_TEST_CARDS as readonly string[]).includes(order.paymentMethod)) {
      throw new ApiError('VALIDATION_ERROR', 'request is invalid', {
        issues: [
          {
            path: 'paymentMethod',
            message: `${order.paymentMethod} is a test card that fails or stalls on purpose; it is refused here`,
            code: 'custom',
          },
        ],
      });
    }
    const orderId = orderIdFor(tenant, key);
    correlate(req, orderId);
    const hash = requestHash(order);
    const input: OrderInput = {
      orderId,
      ...order,
      // Every default is resolved here, into the saga's input: a default changed later never changes this saga.
      approvalThresholdMinor: config.APPROVAL_THRESHOLD_MINOR,
      approvalTimeout: config.APPROVAL_TIMEOUT,
      paymentDeadline: config.PAYMENT_DEADLINE,
      publishMode: config.PUBLISH_SAGA_STEPS ? 'every-step' : 'on-status-change',
      stepExecution: config.SAGA_STEP_EXECUTION,
    };
    const memo: OrderMemo = {
      requestHash: hash,
      tenant,
      apiKey: apiKey.name,
      requestId: req.id,
      customerId: order.customerId,
      currency: order.currency,
    };
    try {
      const handle = await startSaga(ctx, (starter, eager) =>
        starter.workflow.start<typeof orderFulfillment>(ORDER_WORKFLOW_TYPE, {
          workflowId: orderId,
          taskQueue: config.TASK_QUEUE,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          memo: { ...memo },
          typedSearchAttributes: orderStartSearchAttributes(
            customerSearchValue(order.customerId, config.CUSTOMER_REF_KEY),
            tenant,
          ),
          staticSummary: summary(orderId, order),
          staticDetails: details(orderId, order, tenant, apiKey.name, req.id),
          requestEagerStart: eager,
        }),
      );
      // The customer as operators find it (the CustomerId search attribute's keyed hash), never the plaintext id.
      req.log.info(
        {
          customerRef: customerSearchValue(order.customerId, config.CUSTOMER_REF_KEY),
          lines: order.items.length,
          eager: handle.eagerlyStarted,
        },
        'order saga started',
      );
      return await answer(ctx, req, res, orderId, 'RUNNING');
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }

    // The key was used before: the same request is a replay, another one is a conflict.
    const description = await describeOrder(ctx, apiKey, orderId);
    if (memoOf(description.memo).requestHash !== hash) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with a different request body',
        { orderId },
      );
    }
    req.log.info('idempotent replay of an order request');
    res.setHeader('Idempotent-Replay', 'true');
    const status = orderStatusOf(description.status.name, published(description.typedSearchAttributes).status);
    await answer(ctx, req, res, orderId, status);
  };
}
