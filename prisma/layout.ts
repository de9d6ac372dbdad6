import path from 'node:path';
import type { DbProvider } from '../lib/db/url';

/** The services that own a database, each with one Prisma schema and migration history per provider. */
export const DB_SERVICES = ['inventory', 'payment', 'order'] as const;
export type DbService = (typeof DB_SERVICES)[number];
export const DB_PROVIDERS: readonly DbProvider[] = ['sqlite', 'postgres'];

/** prisma/<service>/<provider>/ (schema.prisma, prisma.config.ts, migrations/, generated/). */
export function schemaDir(service: DbService, provider: DbProvider): string {
  return path.join(__dirname, service, provider);
}

export function schemaFile(service: DbService, provider: DbProvider): string {
  return path.join(schemaDir(service, provider), 'schema.prisma');
}

export function migrationsDir(service: DbService, provider: DbProvider): string {
  return path.join(schemaDir(service, provider), 'migrations');
}
