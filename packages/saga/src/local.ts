import type { LocalActivityOptions } from '@temporalio/common';
import type { ActivityCall } from './definition';

/** Whether this call runs as a local activity in this saga (decided from its context, so the same on replay). */
export function runsAsLocalActivity<C>(call: ActivityCall<C>, ctx: C): boolean {
  return typeof call.localActivity === 'function' ? call.localActivity(ctx) : call.localActivity === true;
}

/**
 * The call's options as a local activity's: its timeouts, retry policy, cancellation type and summary carry over;
 * `heartbeatTimeout` (a local activity does not heartbeat: its workflow task does) and `taskQueue` do not.
 */
export function toLocalActivityOptions<C>(call: ActivityCall<C>): LocalActivityOptions {
  const { retry, startToCloseTimeout, scheduleToCloseTimeout, cancellationType, summary } = call.options;
  return {
    ...(retry ? { retry } : {}),
    ...(startToCloseTimeout !== undefined ? { startToCloseTimeout } : {}),
    ...(scheduleToCloseTimeout !== undefined ? { scheduleToCloseTimeout } : {}),
    ...(cancellationType !== undefined ? { cancellationType } : {}),
    ...(summary !== undefined ? { summary } : {}),
    ...call.localActivityOptions,
  };
}
