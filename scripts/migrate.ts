// Applies pending migrations of the services' databases offline (what each service also does on start):
//   npm run db:migrate [-- inventory payment order]
// Database per service: <SERVICE>_DATABASE_URL (e.g. INVENTORY_DATABASE_URL), default file:.data/<service>.db.
import { migrate } from '../lib/db/migrate';
import { parseDatabaseUrl, redact } from '../lib/db/url';
import { DB_SERVICES, migrationsDir, type DbService } from '../prisma/layout';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !DB_SERVICES.includes(a as DbService));
  if (unknown.length > 0) {
    console.error(`unknown service(s): ${unknown.join(', ')}; expected: ${DB_SERVICES.join(', ')}`);
    process.exit(2);
  }
  const services = args.length > 0 ? (args as DbService[]) : [...DB_SERVICES];
  for (const service of services) {
    const url = process.env[`${service.toUpperCase()}_DATABASE_URL`] ?? `file:.data/${service}.db`;
    const target = parseDatabaseUrl(url);
    const { applied, alreadyApplied } = await migrate({
      target,
      migrationsDir: migrationsDir(service, target.provider),
    });
    console.log(
      `[migrate] ${service} (${redact(url)}): ${applied.length} applied${applied.length ? ` (${applied.join(', ')})` : ''}, ${alreadyApplied} already applied`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`[migrate] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
