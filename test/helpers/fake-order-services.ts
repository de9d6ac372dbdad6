import { ApplicationFailure, Context } from '@temporalio/activity';
import type { OrderActivities, OrderItem } from '../../activities/types';

/** Where an injected fault strikes relative to the activity's effect. */
export type Fault =
  | { kind: 'before'; times?: number } // transient error before any effect (default: every attempt)
  | { kind: 'after'; times?: number } // the effect happens, then the call fails (lost response)
  | { kind: 'business'; code: string; message?: string; times?: number } // a non-retryable business error, nothing changes
  | { kind: 'slow'; ms: number; times?: number } // the effect happens after `ms` of real time, without heartbeats
  | { kind: 'hang' }; // never answers (until cancelled or timed out)

/**
 * In-memory stand-ins for the three services with the same contract (idempotent, safe compensations),
 * for workflow tests that need exact interleavings. The real services are exercised in test/saga/real-*.
 */
export class FakeOrderServices {
  readonly orders = new Map<string, { status: string; totalMinor: number }>();
  readonly reservations = new Map<string, { items: OrderItem[]; status: 'RESERVED' | 'RELEASED' | 'COMMITTED' }>();
  readonly payments = new Map<
    string,
    { amountMinor: number; status: 'AUTHORIZED' | 'CAPTURED' | 'VOIDED' | 'REFUNDED' }
  >();
  readonly calls: string[] = [];
  readonly faults = new Map<string, Fault>();
  /** Faults for the next attempts of an activity, one per attempt (`undefined`: that attempt succeeds), before `faults`. */
  readonly scripts = new Map<string, (Fault | undefined)[]>();
  private readonly faultHits = new Map<string, number>();

  constructor(private readonly priceMinor = 1_000) {}

  attempts(activity: string): number {
    return this.calls.filter((c) => c === activity).length;
  }

  activities(): OrderActivities {
    const run = async <T>(name: string, effect: () => T): Promise<T> => {
      this.calls.push(name);
      const script = this.scripts.get(name);
      const scripted = script && script.length > 0;
      const fault = scripted ? script.shift() : this.faults.get(name);
      const hits = this.faultHits.get(name) ?? 0;
      const active = fault && (scripted || !('times' in fault) || fault.times === undefined || hits < fault.times);
      if (fault && active && !scripted) this.faultHits.set(name, hits + 1);
      if (active && fault.kind === 'hang') return hangUntilCancelled<T>();
      if (active && fault.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (active && fault.kind === 'business')
        throw ApplicationFailure.nonRetryable(fault.message ?? `${name}: ${fault.code}`, fault.code);
      if (active && fault.kind === 'before') throw new Error(`${name}: service unavailable (injected)`);
      const result = effect();
      if (active && fault.kind === 'after') throw new Error(`${name}: response lost (injected)`);
      return result;
    };
    return {
      createOrder: (input) =>
        run('createOrder', () => {
          const totalMinor = input.items.reduce((sum, item) => sum + item.quantity * this.priceMinor, 0);
          if (!this.orders.has(input.orderId)) this.orders.set(input.orderId, { status: 'PENDING', totalMinor });
          return { orderId: input.orderId, totalMinor, currency: input.currency };
        }),
      setOrderStatus: (input) =>
        run('setOrderStatus', () => {
          this.orders.get(input.orderId)!.status = input.status;
        }),
      closeOrder: (input) =>
        run('closeOrder', () => {
          const order = this.orders.get(input.orderId);
          if (order) order.status = input.status;
        }),
      reserveInventory: (input) =>
        run('reserveInventory', () => {
          if (!this.reservations.has(input.orderId)) {
            this.reservations.set(input.orderId, { items: input.items, status: 'RESERVED' });
          }
          return { reservationId: `res-${input.orderId}` };
        }),
      releaseInventory: (input) =>
        run('releaseInventory', () => {
          const reservation = this.reservations.get(input.orderId);
          if (!reservation || reservation.status !== 'RESERVED') return { released: false };
          reservation.status = 'RELEASED';
          return { released: true };
        }),
      commitInventory: (input) =>
        run('commitInventory', () => {
          this.reservations.get(input.orderId)!.status = 'COMMITTED';
        }),
      authorizePayment: (input) =>
        run('authorizePayment', () => {
          if (!this.payments.has(input.orderId)) {
            this.payments.set(input.orderId, { amountMinor: input.amountMinor, status: 'AUTHORIZED' });
          }
          return { paymentId: `pay-${input.orderId}` };
        }),
      capturePayment: (input) =>
        run('capturePayment', () => {
          this.payments.get(input.orderId)!.status = 'CAPTURED';
        }),
      cancelPayment: (input) =>
        run('cancelPayment', () => {
          const payment = this.payments.get(input.orderId);
          if (!payment) return { outcome: 'NONE' as const };
          if (payment.status === 'AUTHORIZED') payment.status = 'VOIDED';
          else if (payment.status === 'CAPTURED') payment.status = 'REFUNDED';
          else return { outcome: 'NONE' as const };
          return { outcome: payment.status === 'VOIDED' ? ('VOIDED' as const) : ('REFUNDED' as const) };
        }),
    };
  }
}

/** Like a service that never answers, but heartbeating, so cancellation and worker shutdown still reach it. */
async function hangUntilCancelled<T>(): Promise<T> {
  const context = Context.current();
  for (;;) {
    context.heartbeat();
    await context.sleep(200);
  }
}
