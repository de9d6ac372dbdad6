import fs from 'node:fs';
import { DB_PROVIDERS, DB_SERVICES, migrationsDir, schemaFile } from '../../prisma/layout';
import { diffSql } from './schema-engine';

/** The SQLite schema is the PostgreSQL one with another provider: normalise that line away to compare them. */
function withoutProvider(file: string): string {
  return fs.readFileSync(file, 'utf8').replace(/provider\s*=\s*"(postgresql|sqlite)"/, 'provider = "<db>"');
}

/** Every problem found (empty when all is well): pending schema changes without a migration, provider drift. */
export async function checkMigrations(postgresUrl: string): Promise<string[]> {
  const problems: string[] = [];
  for (const service of DB_SERVICES) {
    if (withoutProvider(schemaFile(service, 'sqlite')) !== withoutProvider(schemaFile(service, 'postgres'))) {
      problems.push(`${service}: sqlite/schema.prisma and postgres/schema.prisma differ beyond the provider`);
    }
    for (const provider of DB_PROVIDERS) {
      const sql = await diffSql({
        provider,
        from: { migrationsDir: migrationsDir(service, provider) },
        to: { schemaFile: schemaFile(service, provider) },
        postgresUrl,
      });
      if (sql.trim()) {
        problems.push(
          `${service}/${provider}: schema.prisma changed without a migration ` +
            `(run: npm run db:make-migration -- ${service} <name>). Missing:\n${sql}`,
        );
      }
    }
  }
  return problems;
}
