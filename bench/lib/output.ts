import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A bench command's result: JSON on stdout, and also into BENCH_OUT when it is set. */
export function emitResult(result: unknown): void {
  const json = JSON.stringify(result, null, 2);
  if (process.env.BENCH_OUT) {
    mkdirSync(path.dirname(process.env.BENCH_OUT), { recursive: true });
    writeFileSync(process.env.BENCH_OUT, `${json}\n`);
  }
  console.log(json);
}

/** Runs a bench command's main, exiting 1 with the error on stderr when it fails. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
}
