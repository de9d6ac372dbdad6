// npm run bench: one bounded benchmark run on a fresh stack on loopback ports (see docs/BENCHMARKS.md).
// Progress goes to stderr, the results as JSON to stdout (and to BENCH_OUT when set).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runBench } from './lib/session';
import { loadBenchSettings } from './lib/settings';

async function main(): Promise<void> {
  const settings = loadBenchSettings();
  const result = await runBench(settings);
  const json = JSON.stringify(result, null, 2);
  if (process.env.BENCH_OUT) {
    mkdirSync(path.dirname(process.env.BENCH_OUT), { recursive: true });
    writeFileSync(process.env.BENCH_OUT, `${json}\n`);
  }
  console.log(json);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
