// CI check: fails when a schema.prisma changed without a migration, or when a service's SQLite and PostgreSQL
// schemas differ in anything but the provider. Also run by test/services/migrations.test.ts.
//   npm run db:check
import { checkMigrations } from './migration-drift';
import { withToolPostgres } from './postgres-for-tools';

withToolPostgres(checkMigrations)
  .then((problems) => {
    for (const problem of problems) console.error(`[db] ${problem}`);
    if (problems.length > 0) process.exit(1);
    console.log('[db] migrations match the schemas');
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
