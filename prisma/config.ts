import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const root = path.resolve(__dirname, '..');

/**
 * Offline, Prisma's CLI only needs the native schema engine to exist for `generate`/`validate`/`format`:
 * point it at a stub that explains what to use instead, unless a real engine is configured or installed
 * (set PRISMA_USE_NATIVE_ENGINE=1 on an online machine to let the CLI fetch its own for `migrate deploy`).
 */
function useEngineStubWhenOffline(): void {
  if (process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.env.PRISMA_USE_NATIVE_ENGINE === '1') return;
  const enginesDir = path.join(root, 'node_modules/@prisma/engines');
  const installed = fs.existsSync(enginesDir) && fs.readdirSync(enginesDir).some((f) => f.startsWith('schema-engine'));
  if (!installed) process.env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(root, 'scripts/prisma-engine-stub');
}

/** The Prisma CLI config of one service's schema for one provider: prisma/<service>/<provider>/. */
export function serviceConfig(dir: string) {
  useEngineStubWhenOffline();
  return defineConfig({
    schema: path.join(dir, 'schema.prisma'),
    migrations: { path: path.join(dir, 'migrations') },
    // Only migrate/introspect commands read it (`prisma migrate deploy` on an online machine).
    ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
  });
}
