// Preloaded into the stack's Node processes (NODE_OPTIONS="--import <this file>") when the bench profiles them:
// Node refuses --cpu-prof in NODE_OPTIONS, so this starts V8's sampling profiler through the inspector and writes
// a .cpuprofile (named like --cpu-prof's) into BENCH_CPU_PROFILE_DIR when the process exits. Main thread only:
// the services and the API run there; the bench worker is profiled with --cpu-prof instead, which also covers
// the workflow thread. Plain JavaScript: it loads before any TypeScript loader.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import process from 'node:process';

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    // The same-thread inspector session answers synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
      writeFileSync(path.join(dir, `CPU.${stamp}.${process.pid}.0.001.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
