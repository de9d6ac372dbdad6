import { patched, setCurrentDetails, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { mdCode, mdText } from '../shared/markdown';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import type { SagaState } from '@sagaflow/saga';
import type { OrderContext, OrderStateMemo } from './types';
import {
  PARKED_ATTRIBUTES_PATCH,
  parkedOf,
  parkedPublished,
  parkedUpdates,
  sameParked,
} from '../shared/parked-attributes';
import type { ParkedValues } from '../shared/parked-attributes';

/** Patch id: the saga mirrors its state into the memo with its search attributes (before: search attributes only). */
export const STATE_MEMO_PATCH = 'order-state-memo';

/** The memo key holding an OrderStateMemo. */
export const STATE_MEMO_KEY = 'orderState';

interface Published {
  customer: string;
  status: string;
  step: string;
  total: number;
  parked: ParkedValues;
}

const NOTHING: Published = { customer: '', status: '', step: '', total: -1, parked: { steps: [], reasons: [] } };

/**
 * Mirrors saga state where operators and the API look: search attributes (upserted only when they change, since
 * each upsert is a history event and a visibility write; how often depends on the input's publish mode), with the
 * whole state in the memo at the same moments (describe() then answers it without a worker), and the workflow's
 * current details (free: sent only when the UI asks).
 */
export function createPublisher(ctx: OrderContext): (state: SagaState) => void {
  const { publishMode, publishSteps } = ctx.input;
  const onStatusChange = publishMode === 'on-status-change';
  const stepsWithStatus = onStatusChange || publishSteps === false;
  const started = startedWith();
  // A run continued by a restart inherits what its predecessor was parked on: that is cleared in any mode.
  let last = onStatusChange ? started : { ...NOTHING, parked: started.parked };
  return (state) => {
    setCurrentDetails(renderDetails(ctx, state));
    const next: Published = {
      // CustomerId is only ever what the starter set (the API: a keyed hash, lib/codec/customer-ref.ts), never the
      // input's plaintext id. Replay-safe without a patch: it only drops a value from an upsert that happens anyway.
      customer: started.customer,
      status: state.status,
      step: state.currentStep ?? '-',
      total: ctx.order?.totalMinor ?? -1,
      parked: parkedOf(state),
    };
    const statusChanged = next.status !== last.status;
    if (onStatusChange && !statusChanged) return;
    const updates: SearchAttributeUpdatePair[] = [];
    if (next.customer !== last.customer && next.customer !== '')
      updates.push({ key: SEARCH_ATTRIBUTES.CustomerId, value: next.customer });
    if (statusChanged) updates.push({ key: SEARCH_ATTRIBUTES.OrderStatus, value: next.status });
    if (next.step !== last.step && (statusChanged || !stepsWithStatus))
      updates.push({ key: SEARCH_ATTRIBUTES.SagaStep, value: next.step });
    else next.step = last.step;
    if (next.total !== last.total && next.total >= 0)
      updates.push({ key: SEARCH_ATTRIBUTES.OrderTotal, value: next.total });
    if (!sameParked(next.parked, last.parked)) {
      if (patched(PARKED_ATTRIBUTES_PATCH)) updates.push(...parkedUpdates(next.parked));
      else next.parked = last.parked;
    }
    if (updates.length > 0) {
      upsertSearchAttributes(updates);
      if (patched(STATE_MEMO_PATCH)) {
        const memo: OrderStateMemo = { state, ...(ctx.approval ? { approval: ctx.approval } : {}) };
        upsertMemo({ [STATE_MEMO_KEY]: memo });
      }
    }
    last = next;
  };
}

/** The search attributes the saga was started with (the API sets CustomerId and OrderStatus RUNNING). */
function startedWith(): Published {
  const attributes = workflowInfo().typedSearchAttributes;
  return {
    customer: attributes.get(SEARCH_ATTRIBUTES.CustomerId) ?? NOTHING.customer,
    status: attributes.get(SEARCH_ATTRIBUTES.OrderStatus) ?? NOTHING.status,
    step: attributes.get(SEARCH_ATTRIBUTES.SagaStep) ?? NOTHING.step,
    total: attributes.get(SEARCH_ATTRIBUTES.OrderTotal) ?? NOTHING.total,
    parked: parkedPublished(attributes),
  };
}

/** The saga's current details for the Web UI (Markdown); every caller-chosen text escaped. */
export function renderDetails(ctx: OrderContext, state: SagaState): string {
  const lines = [
    `**Order ${mdText(ctx.input.orderId)}** for customer ${mdCode(ctx.input.customerId)} — **${state.status}**`,
    '',
    `- total: ${ctx.order ? `${ctx.order.totalMinor} ${ctx.order.currency} (minor units)` : 'not priced yet'}`,
    `- current step: ${state.currentStep ?? '—'}`,
    `- completed: ${state.completedSteps.join(' → ') || '—'}`,
  ];
  if (state.failure)
    lines.push(`- failed at **${state.failure.step}**: ${mdCode(state.failure.type)} ${mdText(state.failure.message)}`);
  if (state.cancellation) lines.push(`- cancelled: ${mdText(state.cancellation.reason)}`);
  if (state.waiting) {
    const until = new Date(state.waiting.until).toISOString();
    lines.push(
      `- waiting: ${mdText(state.waiting.reason)} (step ${state.waiting.step}; next try ${until}, nothing is called meanwhile)`,
    );
  }
  for (const c of state.compensations) {
    lines.push(
      `- compensation ${c.activity} (${c.step}): ${c.outcome}${c.reason ? ` — ${mdText(c.reason)}` : ''}${c.error ? ` — ${mdText(c.error)}` : ''}`,
    );
  }
  for (const p of state.parked) {
    lines.push(
      `- ⚠ **parked**: ${p.activity} for ${p.step} failed (${mdText(p.error)}); use retryCompensation or skipCompensation`,
    );
  }
  return lines.join('\n');
}
