import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { RequestHandler } from 'express';
import type { ApiKey } from '../config';
import { ApiError } from '../errors';
import type { OrderSummary } from '../schemas';
import { ListOrdersQuerySchema } from '../schemas';
import { withDeadline } from '../temporal';
import { customerSearchValue } from '../../lib/codec/customer-ref';
import type { OrdersContext } from './common';
import { ORDER_WORKFLOW_TYPE } from './common';
import { memoOf, orderStatusOf, published } from './read-model';

interface Filter {
  /** A tenant-scoped key lists its tenant's orders only; a global operator's listing has no tenant clause. */
  tenant?: string;
  status?: string;
  customerId?: string;
  parkedStep?: string;
  parkedReason?: string;
}

/**
 * Page tokens: Temporal's token, signed together with the listing's filter. A token the API did not issue
 * for this filter is a 400 before Temporal sees it (the server answers garbage tokens with a retryable
 * UNKNOWN error). The key derives from the configured API key secrets, so every API process with the same
 * configuration accepts the others' tokens.
 */
export function pageTokens(keys: readonly ApiKey[]) {
  const secret = createHash('sha256')
    .update(
      `sagaflow-page-token\n${keys
        .map((k) => k.secret)
        .sort()
        .join('\n')}`,
    )
    .digest();
  const sign = (filter: Filter, token: Buffer) =>
    createHmac('sha256', secret).update(visibilityQuery(filter)).update('\n').update(token).digest().subarray(0, 16);
  return {
    encode(filter: Filter, token: Buffer): string {
      return `${token.toString('base64url')}.${sign(filter, token).toString('base64url')}`;
    },
    decode(filter: Filter, value: string): Buffer {
      const [data = '', mac = ''] = value.split('.');
      const token = Buffer.from(data, 'base64url');
      const presented = Buffer.from(mac, 'base64url');
      const expected = sign(filter, token);
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        throw new ApiError('VALIDATION_ERROR', 'nextPageToken is not a token from a previous page of this listing');
      }
      return token;
    },
  };
}

/**
 * The visibility query for a listing. Every value in it was validated against a closed alphabet
 * (tenant: configuration, [A-Za-z0-9_-]; status: the SagaStatus enum; customerId: [A-Za-z0-9_-]; parkedStep and
 * parkedReason: a letter, then [A-Za-z0-9_-] and [A-Za-z0-9_.-]), so nothing a
 * caller sends can change its shape. A tenant sees only orders started with its TenantId: orders started before
 * tenants existed have none, and only global operators list them.
 */
export function visibilityQuery(filter: Filter): string {
  // One row per order, its latest run: a restarted order's parked run continued as new, and would otherwise be
  // listed beside it (ABORTED, under FORWARD_FAILED) until retention.
  const clauses = [`WorkflowType = "${ORDER_WORKFLOW_TYPE}"`, 'ExecutionStatus != "ContinuedAsNew"'];
  if (filter.tenant !== undefined) clauses.push(`TenantId = "${filter.tenant}"`);
  if (filter.status) clauses.push(`OrderStatus = "${filter.status}"`);
  if (filter.customerId) clauses.push(`CustomerId = "${filter.customerId}"`);
  // A list attribute matches when any of its values does.
  if (filter.parkedStep) clauses.push(`ParkedStep = "${filter.parkedStep}"`);
  if (filter.parkedReason) clauses.push(`ParkedReason = "${filter.parkedReason}"`);
  return clauses.join(' AND ');
}

/**
 * GET /orders?status=&customerId=&parkedStep=&parkedReason=&pageSize=&nextPageToken= — one page from Temporal visibility (eventually
 * consistent: a just-started order may take a moment to appear). ListWorkflowExecutions is called directly
 * because the SDK's list iterator hides the page token.
 */
export function listOrders(ctx: OrdersContext): RequestHandler {
  const { client, config } = ctx;
  const tokens = pageTokens(config.API_KEYS);
  return async (req, res) => {
    const query = ListOrdersQuerySchema.parse(req.query);
    const filter: Filter = {
      tenant: req.apiKey!.tenant,
      status: query.status,
      customerId: query.customerId && customerSearchValue(query.customerId, config.CUSTOMER_REF_KEY),
      parkedStep: query.parkedStep,
      parkedReason: query.parkedReason,
    };
    const namespace = client.options.namespace;
    const nextPageToken = query.nextPageToken ? tokens.decode(filter, query.nextPageToken) : undefined;
    const response = await withDeadline(client, config.TEMPORAL_RPC_TIMEOUT_MS, () =>
      client.workflowService.listWorkflowExecutions({
        namespace,
        query: visibilityQuery(filter),
        pageSize: query.pageSize,
        nextPageToken,
      }),
    );
    const orders: OrderSummary[] = [];
    for (const raw of response.executions) {
      const info = await executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, namespace);
      const attributes = published(info.typedSearchAttributes);
      const memo = memoOf(info.memo);
      orders.push({
        orderId: info.workflowId,
        status: orderStatusOf(info.status.name, attributes.status),
        workflowStatus: info.status.name,
        customerId: memo.customerId ?? attributes.customerId,
        currency: memo.currency,
        step: attributes.step,
        totalMinor: attributes.totalMinor,
        parkedSteps: attributes.parkedSteps,
        parkedReasons: attributes.parkedReasons,
        startedAt: info.startTime.toISOString(),
        closedAt: info.closeTime?.toISOString(),
      });
    }
    const token = response.nextPageToken;
    res.json({ orders, nextPageToken: token && token.length > 0 ? tokens.encode(filter, Buffer.from(token)) : null });
  };
}
