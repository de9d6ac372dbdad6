// Summarizes V8 CPU profiles (.cpuprofile, from `node --cpu-prof`): the top functions by self time and the
// self time by package, as JSON. `npx tsx bench/profile.ts <dir or files...> [--top N]`; bench/run.ts with
// BENCH_PROFILE_DIR writes the profiles and prints this summary with each process named.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { round } from './lib/stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  pid: number | undefined;
  process?: string;
  /** Sampled time, ms, without (idle). */
  busyMs: number;
  top: { fn: string; where: string; selfMs: number; percent: number }[];
  byPackage: { package: string; selfMs: number; percent: number }[];
}

const root = path.resolve(__dirname, '..');

/** Where a function lives, shortened: a package name, node:…, a project path, or a V8 pseudo-frame. */
function locate(url: string): { where: string; pkg: string } {
  if (!url) return { where: '', pkg: '(native/V8)' };
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  if (file.startsWith('node:')) return { where: file, pkg: 'node internals' };
  const modules = file.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (modules >= 0) {
    const rest = file.slice(modules + '/node_modules/'.length).split(path.sep);
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return { where: `${pkg}/${rest.slice(pkg.split('/').length).join('/')}`, pkg };
  }
  if (file.startsWith(root)) {
    const relative = path.relative(root, file);
    return { where: relative, pkg: `sagaflow ${relative.split(path.sep)[0]}/` };
  }
  return { where: file, pkg: 'other' };
}

export function summarizeProfile(file: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const functions = new Map<string, { fn: string; where: string; us: number }>();
  const packages = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busyUs += us;
    const { where, pkg } = locate(frame.url);
    const fn = frame.functionName || '(anonymous)';
    const key = `${fn} ${where}:${frame.lineNumber + 1}`;
    const entry = functions.get(key) ?? { fn, where: frame.url ? `${where}:${frame.lineNumber + 1}` : '', us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const bucket = frame.url ? pkg : fn.startsWith('(') ? fn : '(native/V8)';
    packages.set(bucket, (packages.get(bucket) ?? 0) + us);
  }
  const pct = (us: number) => round(busyUs ? (us / busyUs) * 100 : 0);
  const pid = /\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(path.basename(file))?.[1];
  return {
    file,
    pid: pid === undefined ? undefined : Number(pid),
    busyMs: round(busyUs / 1000),
    top: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map(({ fn, where, us }) => ({ fn, where, selfMs: round(us / 1000), percent: pct(us) })),
    byPackage: [...packages.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([pkg, us]) => ({ package: pkg, selfMs: round(us / 1000), percent: pct(us) })),
  };
}

function profileFiles(target: string): string[] {
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(target, name));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const topN = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 15;
  if (args.length === 0) {
    console.error('usage: tsx bench/profile.ts <profile dir or .cpuprofile files...> [--top N]');
    process.exit(2);
  }
  const summaries = args.flatMap(profileFiles).map((file) => summarizeProfile(file, topN));
  console.log(JSON.stringify(summaries, null, 2));
}
