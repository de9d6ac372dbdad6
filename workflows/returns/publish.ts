import { patched, setCurrentDetails, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { mdCode, mdText } from '../shared/markdown';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import type { SagaState } from '@sagaflow/saga';
import type { ReturnContext, ReturnStateMemo } from './types';
import {
  PARKED_ATTRIBUTES_PATCH,
  parkedOf,
  parkedPublished,
  parkedUpdates,
  sameParked,
} from '../shared/parked-attributes';

/** The memo key holding a ReturnStateMemo. */
export const RETURN_MEMO_KEY = 'returnState';

export function returnMemo(ctx: ReturnContext, state: SagaState): ReturnStateMemo {
  return {
    state,
    ...(ctx.requested ? { refundMinor: ctx.requested.refundMinor, currency: ctx.requested.currency } : {}),
    ...(ctx.trackingNumber ? { trackingNumber: ctx.trackingNumber } : {}),
    ...(ctx.parcel ? { parcel: ctx.parcel } : {}),
    ...(ctx.approval ? { approval: ctx.approval } : {}),
  };
}

/**
 * Mirrors the return's state where operators and the API look: OrderStatus, SagaStep, ParkedStep and ParkedReason (upserted when they
 * change, with the whole state in the memo at the same moments, so describe() answers it without a worker), and
 * the workflow's current details.
 */
export function createReturnPublisher(ctx: ReturnContext): (state: SagaState) => void {
  // What the run was started with: a run continued by a restart inherits its predecessor's (e.g. FORWARD_FAILED).
  const attributes = workflowInfo().typedSearchAttributes;
  let last = {
    status: attributes.get(SEARCH_ATTRIBUTES.OrderStatus) ?? 'RUNNING',
    step: attributes.get(SEARCH_ATTRIBUTES.SagaStep) ?? '',
    parked: parkedPublished(attributes),
  };
  return (state) => {
    setCurrentDetails(renderDetails(ctx, state));
    const next = { status: state.status, step: state.currentStep ?? '-', parked: parkedOf(state) };
    const updates: SearchAttributeUpdatePair[] = [];
    if (next.status !== last.status) updates.push({ key: SEARCH_ATTRIBUTES.OrderStatus, value: next.status });
    if (next.step !== last.step) updates.push({ key: SEARCH_ATTRIBUTES.SagaStep, value: next.step });
    if (!sameParked(next.parked, last.parked)) {
      if (patched(PARKED_ATTRIBUTES_PATCH)) updates.push(...parkedUpdates(next.parked));
      else next.parked = last.parked;
    }
    if (updates.length === 0) return;
    upsertSearchAttributes(updates);
    upsertMemo({ [RETURN_MEMO_KEY]: returnMemo(ctx, state) });
    last = next;
  };
}

/** The return's current details for the Web UI (Markdown); every caller-chosen text escaped. */
export function renderDetails(ctx: ReturnContext, state: SagaState): string {
  const { input, requested } = ctx;
  const units = input.items.map((item) => `${item.quantity} × ${mdCode(item.sku)}`).join(', ');
  const lines = [
    `**Return ${mdText(input.returnId)}** of order ${mdCode(input.orderId)} — **${state.status}**`,
    '',
    `- units: ${units}`,
    `- refund: ${requested ? `${requested.refundMinor} ${requested.currency} (minor units)` : 'not priced yet'}`,
    `- label: ${ctx.trackingNumber ?? '—'}; parcel: ${ctx.parcel ? `received by ${mdText(ctx.parcel.by)}` : 'not received'}`,
    `- current step: ${state.currentStep ?? '—'}`,
    `- completed: ${state.completedSteps.join(' → ') || '—'}`,
  ];
  if (state.failure)
    lines.push(`- failed at **${state.failure.step}**: ${mdCode(state.failure.type)} ${mdText(state.failure.message)}`);
  if (state.cancellation) lines.push(`- cancelled: ${mdText(state.cancellation.reason)}`);
  for (const p of state.parked) lines.push(`- ⚠ **parked**: ${p.activity} for ${p.step} failed (${mdText(p.error)})`);
  return lines.join('\n');
}
