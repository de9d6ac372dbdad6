/** The parts of an npm lockfile (version 3) a scratch project's lockfile is cut from. */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [field: string]: unknown;
}
export interface Lockfile {
  name?: string;
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
  [field: string]: unknown;
}

/**
 * A lockfile for a scratch project that depends on `dependencies` and `devDependencies` (names the repository's
 * lockfile resolves) and on local tarballs (`tarballs`: name → its `npm pack` entry): the entries of the repository's
 * lockfile those reach, the tarballs' own dependencies included. With it `npm ci --offline` installs from the npm
 * cache alone: it needs the tarballs the repository's install cached, not the registry's metadata that resolving
 * versions would.
 */
export function scratchLockfile(
  repository: Lockfile,
  manifest: { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> },
  tarballs: Record<string, LockEntry>,
): Lockfile {
  const packages: Record<string, LockEntry> = {
    '': { name: manifest.name, dependencies: manifest.dependencies, devDependencies: manifest.devDependencies },
  };
  const pending: { from: string; name: string; optional: boolean }[] = [];
  const require = (from: string, deps: Record<string, string> | undefined, optional = false) =>
    Object.keys(deps ?? {}).forEach((name) => pending.push({ from, name, optional }));
  require('', manifest.dependencies);
  require('', manifest.devDependencies);
  while (pending.length > 0) {
    const { from, name, optional } = pending.pop()!;
    const at = resolve(from, name, packages, repository, tarballs);
    if (!at) {
      if (optional) continue;
      throw new Error(
        `the repository's lockfile does not resolve ${name} (needed by ${from || 'the scratch project'})`,
      );
    }
    if (packages[at]) continue;
    const entry = tarballs[name] && at === `node_modules/${name}` ? tarballs[name]! : repository.packages[at]!;
    packages[at] = entry;
    require(at, entry.dependencies);
    require(at, entry.optionalDependencies, true);
    require(at, entry.peerDependencies, true);
  }
  return { name: manifest.name, lockfileVersion: 3, requires: true, packages };
}

/** Where Node would find `name` from the package at `from`: its own node_modules, then each ancestor's. */
function resolve(
  from: string,
  name: string,
  chosen: Record<string, LockEntry>,
  repository: Lockfile,
  tarballs: Record<string, LockEntry>,
): string | undefined {
  if (tarballs[name] && !from.includes('node_modules/')) return `node_modules/${name}`;
  for (let base = from; ; base = parentOf(base)) {
    const at = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (chosen[at] || (repository.packages[at] && !repository.packages[at]!.link)) return at;
    if (tarballs[name] && at === `node_modules/${name}`) return at;
    if (!base) return undefined;
  }
}

/** `node_modules/a/node_modules/b` → `node_modules/a`; `node_modules/a` → the root (''). */
function parentOf(path: string): string {
  const index = path.lastIndexOf('/node_modules/');
  return index < 0 ? '' : path.slice(0, index);
}
