#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases (safe to run on every start). Compose runs it in the
# admin-tools image; scripts/cluster runs the same file with the tools built into .tools/ (TEMPORAL_SCHEMA_DIR,
# POSTGRES_PORT and PATH set accordingly).
set -eu
schema=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}
port=${POSTGRES_PORT:-5432}
for db in temporal temporal_visibility; do
  dir=$([ "$db" = temporal ] && echo temporal || echo visibility)
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$port" --db "$db" create || true
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$port" --db "$db" setup-schema -v 0.0 || true
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$port" --db "$db" update-schema -d "$schema/$dir/versioned"
done
echo "temporal schema ready"
