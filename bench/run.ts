// npm run bench: one bounded benchmark run on a fresh stack on loopback ports (see docs/BENCHMARKS.md).
// Progress goes to stderr, the results as JSON to stdout (and to BENCH_OUT when set).
import { emitResult, runMain } from './lib/output';
import { runBench } from './lib/session';
import { loadBenchSettings } from './lib/settings';

runMain(async () => emitResult(await runBench(loadBenchSettings())));
