import type { MetricMeter } from '@temporalio/common';
import type { Logger } from '../lib/logger';
import { breakerMetrics } from '../lib/telemetry/worker-metrics';
import { LANES } from '../lib/task-queues';
import { createHelloActivities } from './hello';
import { createOrderActivities } from './order';
import { createReturnActivities } from './returns';
import { createServiceClients } from './service-clients';
import type { ServicesConfig, ServiceTransport } from './service-clients';

export interface ActivityDeps {
  config: ServicesConfig;
  /** The HTTP transport the service clients use (defaults to the global fetch, or balancing over replicas). */
  http?: ServiceTransport;
  logger: Logger;
  /** Where the circuit metrics go (the worker passes its runtime's meter); none when omitted. */
  meter?: MetricMeter;
}

/** All activities the worker registers, built over their dependencies so tests can inject their own. */
export function createActivities({ config, http, logger, meter }: ActivityDeps) {
  const circuitMetric = meter ? breakerMetrics(meter, LANES) : undefined;
  // One set of clients (and so one circuit breaker per service) for both sagas.
  const clients = createServiceClients(config, http, (service, state) => {
    const log = state === 'open' ? logger.warn.bind(logger) : logger.info.bind(logger);
    log({ service, circuit: state }, `${service} circuit ${state}`);
    circuitMetric?.(service, state);
  });
  return {
    ...createHelloActivities({ logger }),
    ...createOrderActivities(clients),
    ...createReturnActivities(clients),
  };
}
