import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import type { SagaState } from '../saga/state';
import type { OrderContext } from './types';

/**
 * Mirrors saga state where operators look: search attributes (upserted only when they change, since each
 * upsert is a history event and a visibility write) and the workflow's current details (free: sent only when
 * the UI asks). With `publishSteps: false` SagaStep changes only along with OrderStatus.
 */
export function createPublisher(ctx: OrderContext): (state: SagaState) => void {
  let last = { customer: '', status: '', step: '', total: -1 };
  return (state) => {
    const next = {
      customer: ctx.input.customerId,
      status: state.status,
      step: state.currentStep ?? '-',
      total: ctx.order?.totalMinor ?? -1,
    };
    const updates: SearchAttributeUpdatePair[] = [];
    if (next.customer !== last.customer) updates.push({ key: SEARCH_ATTRIBUTES.CustomerId, value: next.customer });
    if (next.status !== last.status) updates.push({ key: SEARCH_ATTRIBUTES.OrderStatus, value: next.status });
    const publishStep = ctx.input.publishSteps !== false || next.status !== last.status;
    if (next.step !== last.step && publishStep) updates.push({ key: SEARCH_ATTRIBUTES.SagaStep, value: next.step });
    else next.step = last.step;
    if (next.total !== last.total && next.total >= 0)
      updates.push({ key: SEARCH_ATTRIBUTES.OrderTotal, value: next.total });
    if (updates.length > 0) upsertSearchAttributes(updates);
    last = next;
    setCurrentDetails(renderDetails(ctx, state));
  };
}

function renderDetails(ctx: OrderContext, state: SagaState): string {
  const lines = [
    `**Order ${ctx.input.orderId}** for customer \`${ctx.input.customerId}\` — **${state.status}**`,
    '',
    `- total: ${ctx.order ? `${ctx.order.totalMinor} ${ctx.order.currency} (minor units)` : 'not priced yet'}`,
    `- current step: ${state.currentStep ?? '—'}`,
    `- completed: ${state.completedSteps.join(' → ') || '—'}`,
  ];
  if (state.failure)
    lines.push(`- failed at **${state.failure.step}**: \`${state.failure.type}\` ${state.failure.message}`);
  if (state.cancellation) lines.push(`- cancelled: ${state.cancellation.reason}`);
  for (const c of state.compensations) {
    lines.push(
      `- compensation ${c.activity} (${c.step}): ${c.outcome}${c.reason ? ` — ${c.reason}` : ''}${c.error ? ` — ${c.error}` : ''}`,
    );
  }
  for (const p of state.parked) {
    lines.push(
      `- ⚠ **parked**: ${p.activity} for ${p.step} failed (${p.error}); use retryCompensation or skipCompensation`,
    );
  }
  return lines.join('\n');
}
