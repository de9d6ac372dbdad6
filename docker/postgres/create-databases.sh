#!/bin/sh
# Runs once, when the PostgreSQL volume is created: one database and one owner per service
# (database per service; Temporal creates its own two databases through admin-tools).
set -eu
for service in inventory payment orders; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE USER ${service}_svc WITH PASSWORD '${SERVICE_DB_PASSWORD}';
CREATE DATABASE ${service} OWNER ${service}_svc;
SQL
done
