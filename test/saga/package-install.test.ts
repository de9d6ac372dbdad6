import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { localToolPath } from '../../lib/temporal-tools';
import { scratchLockfile } from '../helpers/scratch-lockfile';

// @sagaflow/saga tried from outside the repository, as a team adopting it would: packed (npm pack), installed offline
// from the local npm cache into a scratch project, the example saga and its kit tests compiled there with
// `tsc --strict` against the installed package only, then run: a real Temporal worker bundles the saga from the
// package's build, and the kit runs it on the time-skipping server.
const root = path.resolve(__dirname, '..', '..');
const pkg = path.join(root, 'packages', 'saga');
const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const versionOf = (name: string) => rootManifest.dependencies[name] ?? rootManifest.devDependencies[name]!;

describe('the packed package, installed into a scratch project', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sagaflow-scratch-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const run = (command: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    try {
      // Not NODE_TEST_CONTEXT: the scratch project's `node --test` reports to its own stdout, not to this runner.
      const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
      return execFileSync(command, args, {
        cwd: scratch,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { ...inherited, ...env },
      });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      throw new Error(`${path.basename(command)} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
    }
  };

  let packed: { filename: string; integrity: string; files: { path: string }[] } | undefined;
  it('packs the build, the README and the CHANGELOG, and nothing else', () => {
    [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkg, encoding: 'utf8' }),
    ) as (typeof packed)[];
    const files = packed!.files.map((file) => file.path);
    for (const entry of ['dist/index.js', 'dist/index.d.ts', 'dist/worker.js', 'dist/testing/index.js', 'README.md'])
      assert.ok(files.includes(entry), `${entry} is packed`);
    assert.ok(files.includes('CHANGELOG.md') && files.includes('package.json'));
    assert.deepEqual(
      files.filter(
        (file) => !file.startsWith('dist/') && !['README.md', 'CHANGELOG.md', 'package.json'].includes(file),
      ),
      [],
      'no sources, examples or tests',
    );
    assert.ok(!files.some((file) => file.endsWith('.map') || file.includes('examples')));
  });

  it('installs offline, compiles a saga with tsc --strict, and its kit tests pass on the time-skipping server', () => {
    assert.ok(packed, 'packed');
    const manifest = {
      name: 'scratch-saga',
      private: true,
      dependencies: {
        '@sagaflow/saga': `file:${packed.filename}`,
        ...Object.fromEntries(
          ['activity', 'client', 'common', 'testing', 'worker', 'workflow'].map((name) => [
            `@temporalio/${name}`,
            versionOf(`@temporalio/${name}`),
          ]),
        ),
      },
      devDependencies: { typescript: versionOf('typescript'), '@types/node': versionOf('@types/node') },
    };
    const saga = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as Record<string, unknown>;
    const lockfile = scratchLockfile(JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')), manifest, {
      '@sagaflow/saga': {
        version: saga.version as string,
        resolved: `file:${packed.filename}`,
        integrity: packed.integrity,
        dependencies: saga.dependencies as Record<string, string>,
        peerDependencies: saga.peerDependencies as Record<string, string>,
        peerDependenciesMeta: saga.peerDependenciesMeta,
      },
    });
    writeFileSync(path.join(scratch, 'package.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(path.join(scratch, 'package-lock.json'), JSON.stringify(lockfile, null, 2));
    // Offline: every tarball comes from the npm cache the repository's own install filled.
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error']);
    mkdirSync(path.join(scratch, 'src'));
    for (const file of ['transfer.ts', 'transfer.test.ts'])
      copyFileSync(path.join(pkg, 'examples', file), path.join(scratch, 'src', file));
    writeFileSync(
      path.join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'node16',
          moduleResolution: 'node16',
          types: ['node'],
          // As Temporal's own samples: @temporalio/common's declarations import `ms`, which ships no types.
          skipLibCheck: true,
          outDir: 'dist',
          rootDir: 'src',
        },
        include: ['src'],
      }),
    );
    const tsc = path.join(scratch, 'node_modules', '.bin', 'tsc');
    run(tsc, ['-p', '.']);
    // The package's declarations check clean too (skipLibCheck off); @temporalio/common's own need `ms` types.
    const libCheck = spawnSync(tsc, ['-p', '.', '--skipLibCheck', 'false'], { cwd: scratch, encoding: 'utf8' });
    const ours = libCheck.stdout
      .split('\n')
      .filter((line) => /error TS/.test(line) && !line.startsWith('node_modules/@temporalio/'));
    assert.deepEqual(ours, [], 'no type errors in @sagaflow/saga or the saga');
    const testServer = localToolPath('temporal-test-server');
    const output = run(process.execPath, ['--test', '--test-reporter=tap', 'dist/transfer.test.js'], {
      ...(testServer ? { TEMPORAL_TEST_SERVER_PATH: testServer } : {}),
      NODE_OPTIONS: '',
    });
    assert.match(output, /# pass 5\n/);
    assert.match(output, /# fail 0\n/);
  });
});
