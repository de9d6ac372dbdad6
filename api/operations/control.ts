import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { RequestHandler } from 'express';
import type { OperationState } from '../../workflows/operations/types';
import {
  cancelOperationUpdate,
  pauseOperationUpdate,
  resumeOperationUpdate,
} from '../../workflows/operations/workflow';
import type { OperationControl } from '../../workflows/operations/workflow';
import { ApiError } from '../errors';
import type { OrdersContext } from '../orders/common';
import { OperationControlSchema } from '../schemas';
import { withDeadline } from '../temporal';
import { visibleOperation } from './common';
import { operationView } from './view';

export const OPERATION_CONTROLS = {
  pause: pauseOperationUpdate,
  resume: resumeOperationUpdate,
  cancel: cancelOperationUpdate,
} as const satisfies Record<string, UpdateDefinition<OperationState, [OperationControl]>>;

/**
 * POST /operations/{operationId}/pause, /resume, /cancel (operator): an Update of the operation, by this key, with
 * the reason in its audit trail. A pause or cancel takes effect before the next batch; a refusal is 409.
 */
export function controlOperation(ctx: OrdersContext, control: keyof typeof OPERATION_CONTROLS): RequestHandler {
  return async (req, res) => {
    const body = OperationControlSchema.parse(req.body ?? {});
    const state = await withDeadline(ctx.client, ctx.config.UPDATE_TIMEOUT_MS, async () => {
      const { handle, description } = await visibleOperation(ctx, req.apiKey!, String(req.params.id));
      if (description.status.name !== 'RUNNING') throw new ApiError('OPERATION_REFUSED', 'the operation has ended');
      try {
        return await handle.executeUpdate(OPERATION_CONTROLS[control], {
          args: [{ by: req.apiKey!.name, ...(body.reason ? { reason: body.reason } : {}) }],
        });
      } catch (err) {
        // It may end between describe and the Update: the server then answers the workflow is not found.
        if (err instanceof WorkflowNotFoundError) throw new ApiError('OPERATION_REFUSED', 'the operation has ended');
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        throw new ApiError('OPERATION_REFUSED', err.cause instanceof Error ? err.cause.message : err.message);
      }
    });
    res.json(operationView(state));
  };
}
