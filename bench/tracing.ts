// What tracing costs: the `api` mode (API → worker → services, all traced when on) run with tracing off, then on,
// with every span exported over OTLP/HTTP to an in-process receiver on loopback (it counts them, as Jaeger would
// store them). Prints JSON. `npm run bench:tracing` (BENCH_COUNT, BENCH_ROUNDS, ... as for npm run bench).
import { emitResult, runMain } from './lib/output';
import { startOtlpReceiver } from './lib/otlp-receiver';
import { runBench } from './lib/session';
import { loadBenchSettings } from './lib/settings';
import type { ModeResult } from './lib/results';

function summary(mode: ModeResult | undefined) {
  if (!mode) throw new Error('the api mode did not run');
  return {
    sagasPerSecond: mode.sagasPerSecond,
    latencyP50Ms: mode.latencyMs.p50,
    latencyP99Ms: mode.latencyMs.p99,
    cpuMsPerSaga: mode.cpuMsPerSaga,
    completed: mode.sagas.completed,
  };
}

runMain(async () => {
  const settings = { ...loadBenchSettings(), modes: ['api' as const] };
  settings.log('tracing off');
  const off = summary((await runBench(settings)).modes.api);
  const receiver = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  try {
    settings.log(`tracing on, exporting to ${receiver.url}`);
    const on = summary((await runBench(settings)).modes.api);
    const sagas = on.completed + settings.warmup * settings.rounds;
    emitResult({
      benchmark: 'tracing-overhead',
      settings: { count: settings.count, rounds: settings.rounds, concurrency: settings.concurrency },
      off,
      on,
      spansReceived: receiver.spans.length,
      spansPerSaga: Math.round(receiver.spans.length / sagas),
      throughputRatio: Math.round((on.sagasPerSecond / off.sagasPerSecond) * 100) / 100,
      cpuPerSagaRatio: Math.round((on.cpuMsPerSaga.total / off.cpuMsPerSaga.total) * 100) / 100,
    });
  } finally {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    await receiver.close();
  }
});
