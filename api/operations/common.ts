import type { ApiKey } from '../config';
import { ApiError } from '../errors';
import type { OrdersContext } from '../orders/common';
import { maySee } from '../orders/common';
import { OperationIdSchema } from '../schemas';

export const OPERATION_WORKFLOW_TYPE = 'bulkOperation';
/** The memo key of an operation: a hash of the request that started it, and its tenant. */
export const OPERATION_MEMO_KEY = 'operation';

export interface OperationMemo {
  request: string;
  tenant?: string;
}

export const operationUrl = (operationId: string) => `/operations/${operationId}`;

const notFound = () => new ApiError('OPERATION_NOT_FOUND', 'no such operation');

/** The operation's handle, once describe() shows it is an operation this key may see (else 404). */
export async function visibleOperation(ctx: OrdersContext, key: ApiKey, id: string) {
  if (!OperationIdSchema.safeParse(id).success) throw notFound();
  const handle = ctx.client.workflow.getHandle(id);
  const description = await handle.describe().catch((err: unknown) => {
    if (err instanceof Error && err.name === 'WorkflowNotFoundError') throw notFound();
    throw err;
  });
  const memo = (description.memo?.[OPERATION_MEMO_KEY] ?? {}) as Partial<OperationMemo>;
  if (description.type !== OPERATION_WORKFLOW_TYPE || !maySee(key, memo.tenant)) throw notFound();
  return { handle, description };
}
