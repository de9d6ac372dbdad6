// The one place that uses Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm, an internal
// API pinned to the engine version of our prisma CLI). Only its `diff` is used: it writes Prisma's own migration
// SQL offline, which the native engine behind `prisma migrate dev` would need the internet to download.
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type * as SchemaEngineWasm from '@prisma/schema-engine-wasm';
import type { DiffTarget } from '@prisma/schema-engine-wasm';
import type { DbProvider } from '../../lib/db/url';

type Wasm = typeof SchemaEngineWasm;
type Exports = Record<string, unknown>;
/** The bits of the WebAssembly global we use (not in the ES2022 lib typings). */
const { WebAssembly: wa } = globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Buffer) => object;
    Instance: new (module: object, imports: Record<string, unknown>) => { exports: Exports };
  };
};

/** A schema state to diff: nothing, a Prisma schema file, or what a migrations folder builds (on a shadow database). */
export type SchemaSource = { empty: true } | { schemaFile: string } | { migrationsDir: string };

let loaded: Promise<Wasm> | undefined;

/** Node 20 cannot `import` a .wasm module: instantiate it by hand and hand it to the generated bindings. */
function loadWasm(): Promise<Wasm> {
  loaded ??= (async () => {
    const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const bindings = (await import(pathToFileURL(path.join(dir, 'schema_engine_bg.js')).href)) as Wasm & {
      __wbg_set_wasm(exports: Exports): void;
    };
    const module = new wa.Module(fs.readFileSync(path.join(dir, 'schema_engine_bg.wasm')));
    const instance = new wa.Instance(module, { './schema_engine_bg.js': bindings });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
    return bindings;
  })();
  return loaded;
}

function toTarget(source: SchemaSource): DiffTarget {
  if ('empty' in source) return { tag: 'empty' };
  if ('schemaFile' in source) {
    return {
      tag: 'schemaDatamodel',
      files: [{ path: source.schemaFile, content: fs.readFileSync(source.schemaFile, 'utf8') }],
    };
  }
  const dir = source.migrationsDir;
  const lockPath = path.join(dir, 'migration_lock.toml');
  const names = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort()
    : [];
  return {
    tag: 'migrations',
    baseDir: dir,
    lockfile: {
      path: 'migration_lock.toml',
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok', value: fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  } satisfies DiffTarget;
}

/** Connections the engine opened: it does not close them itself. */
type Opened = SqlDriverAdapter[];

/** Applies `patch` to every connection the engine opens through `factory` (main and shadow database). */
function patchConnections<F extends SqlMigrationAwareDriverAdapterFactory>(
  factory: F,
  patch: (adapter: SqlDriverAdapter) => void,
  opened: Opened,
): F {
  const connect = factory.connect.bind(factory);
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    patch(adapter);
    opened.push(adapter);
    return adapter;
  };
  factory.connectToShadowDb = async () => {
    const adapter = await connectToShadowDb();
    patch(adapter);
    opened.push(adapter);
    return adapter;
  };
  return factory;
}

async function closeAll(opened: Opened): Promise<void> {
  await Promise.all(opened.map((adapter) => adapter.dispose().catch(() => undefined)));
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * The engine describes a PostgreSQL schema with catalog queries returning the internal type "char" (pg_class.relkind
 * and friends), which @prisma/adapter-pg refuses to map (upstream prisma/orm#27403). They arrive as strings anyway:
 * present them as text.
 */
function charAsText(adapter: SqlDriverAdapter): void {
  const io = adapter as unknown as { performIO(query: unknown): Promise<{ fields: { dataTypeID: number }[] }> };
  const performIO = io.performIO.bind(io);
  io.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    return result;
  };
}

/**
 * When replaying migrations on SQLite, the engine sends each migration.sql as one executeRaw; better-sqlite3 only
 * prepares single statements, so run a multi-statement script as a script.
 */
function scriptsAsScripts(adapter: SqlDriverAdapter): void {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      const multiStatement = /more than one statement/.test(`${String(error)} ${JSON.stringify(error)}`);
      if (!multiStatement || query.args.length > 0) throw error;
      await adapter.executeScript(query.sql);
      return 0;
    }
  };
}

/**
 * The SQL that takes a database from `from` to `to` ('' when they are the same). PostgreSQL needs a server
 * (`postgresUrl`, an admin URL): the engine probes its version, and a migrations source is replayed on a
 * temporary shadow database it creates there. SQLite uses an in-memory database.
 */
export async function diffSql(options: {
  provider: DbProvider;
  from: SchemaSource;
  to: SchemaSource;
  postgresUrl?: string;
}): Promise<string> {
  const { provider, postgresUrl } = options;
  const opened: Opened = [];
  if (provider === 'sqlite') {
    try {
      const factory = patchConnections(new PrismaBetterSqlite3({ url: ':memory:' }), scriptsAsScripts, opened);
      return await runDiff(options, factory);
    } finally {
      await closeAll(opened);
    }
  }
  if (!postgresUrl) throw new Error('diffSql on PostgreSQL needs postgresUrl (an admin URL)');
  // The engine replays migrations on the connection it is given, not only on a shadow database: give it a
  // scratch database of its own.
  const scratch = `schema_diff_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${scratch}"`);
    const url = new URL(postgresUrl);
    url.pathname = `/${scratch}`;
    // Errors of pooled connections after the diff (the scratch database is dropped) are expected.
    const ignore = () => undefined;
    const factory = new PrismaPg(
      { connectionString: url.toString() },
      { onPoolError: ignore, onConnectionError: ignore },
    );
    try {
      return await runDiff(options, patchConnections(factory, charAsText, opened));
    } finally {
      await closeAll(opened);
      await admin.query(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

async function runDiff(
  { from, to }: { from: SchemaSource; to: SchemaSource },
  factory: SqlMigrationAwareDriverAdapterFactory,
): Promise<string> {
  const wasm = await loadWasm();
  const schemaFile = 'schemaFile' in to ? to.schemaFile : 'schemaFile' in from ? from.schemaFile : undefined;
  const datamodels: [string, string][] | undefined = schemaFile
    ? [[schemaFile, fs.readFileSync(schemaFile, 'utf8')]]
    : undefined;
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = await wasm.SchemaEngine.new({ datamodels }, () => undefined /* engine log lines */, bound);
  try {
    const result = await engine.diff({
      from: toTarget(from),
      to: toTarget(to),
      script: true,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.exitCode === 2 ? (result.stdout ?? '') : '';
  } catch (error) {
    // The engine only names a driver error by id: attach the driver's own error.
    const id = /External error id#(\d+)/.exec(String(error))?.[1];
    const cause = id === undefined ? undefined : bound.errorRegistry.consumeError(Number(id));
    if (cause && error instanceof Error) error.message += `\nDriver error: ${String(cause.error)}`;
    throw error;
  } finally {
    engine.free();
  }
}
