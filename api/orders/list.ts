import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { RequestHandler } from 'express';
import { ApiError } from '../errors';
import type { OrderSummary } from '../schemas';
import { ListOrdersQuerySchema } from '../schemas';
import { grpcCode, withDeadline } from '../temporal';
import type { OrdersContext } from './common';
import { memoOf, ORDER_WORKFLOW_TYPE, orderStatusOf, published } from './common';

const GRPC_INVALID_ARGUMENT = 3;

/**
 * The visibility query for a listing. Every value in it was validated against a closed alphabet
 * (status: the SagaStatus enum; customerId: [A-Za-z0-9_-]), so nothing a caller sends can change its shape.
 */
export function visibilityQuery(filter: { status?: string; customerId?: string }): string {
  const clauses = [`WorkflowType = "${ORDER_WORKFLOW_TYPE}"`];
  if (filter.status) clauses.push(`OrderStatus = "${filter.status}"`);
  if (filter.customerId) clauses.push(`CustomerId = "${filter.customerId}"`);
  return clauses.join(' AND ');
}

/**
 * GET /orders?status=&customerId=&pageSize=&nextPageToken= — one page from Temporal visibility (eventually
 * consistent: a just-started order may take a moment to appear). ListWorkflowExecutions is called directly
 * because the SDK's list iterator hides the page token.
 */
export function listOrders(ctx: OrdersContext): RequestHandler {
  const { client, config } = ctx;
  return async (req, res) => {
    const query = ListOrdersQuerySchema.parse(req.query);
    const namespace = client.options.namespace;
    let response;
    try {
      response = await withDeadline(client, config.TEMPORAL_RPC_TIMEOUT_MS, () =>
        client.workflowService.listWorkflowExecutions({
          namespace,
          query: visibilityQuery(query),
          pageSize: query.pageSize,
          nextPageToken: query.nextPageToken ? Buffer.from(query.nextPageToken, 'base64url') : undefined,
        }),
      );
    } catch (err) {
      if (query.nextPageToken && grpcCode(err) === GRPC_INVALID_ARGUMENT) {
        throw new ApiError('VALIDATION_ERROR', 'nextPageToken is not a token from a previous page of this listing');
      }
      throw err;
    }
    const orders: OrderSummary[] = [];
    for (const raw of response.executions) {
      const info = await executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, namespace);
      const attributes = published(info.typedSearchAttributes);
      const memo = memoOf(info.memo);
      orders.push({
        orderId: info.workflowId,
        status: orderStatusOf(info.status.name, attributes.status),
        workflowStatus: info.status.name,
        customerId: attributes.customerId ?? memo.customerId,
        currency: memo.currency,
        step: attributes.step,
        totalMinor: attributes.totalMinor,
        startedAt: info.startTime.toISOString(),
        closedAt: info.closeTime?.toISOString(),
      });
    }
    const token = response.nextPageToken;
    res.json({ orders, nextPageToken: token && token.length > 0 ? Buffer.from(token).toString('base64url') : null });
  };
}
