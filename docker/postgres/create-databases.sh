#!/bin/sh
# Runs once, when the PostgreSQL volume is created: one database and one owner per service, each owner with its
# own password (database per service; Temporal creates its own two databases through admin-tools). psql quotes
# the password (:'password'), so any character is safe in it.
set -eu
create() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v password="$2" <<SQL
CREATE USER ${1}_svc WITH PASSWORD :'password';
CREATE DATABASE ${1} OWNER ${1}_svc;
SQL
}
create inventory "$INVENTORY_DB_PASSWORD"
create payment "$PAYMENT_DB_PASSWORD"
create orders "$ORDERS_DB_PASSWORD"
