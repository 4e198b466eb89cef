#!/bin/sh
# Creates the Temporal server's two PostgreSQL databases and brings each to the schema of the
# release whose temporal-sql-tool runs this (the schema is embedded in the tool). Run once before
# the server starts, and again after an upgrade: a database that exists is only updated.
# docker-compose.yml runs it in the temporal-schema service, `npm run test:cluster` on this machine.
# Reads DB, DBNAME, VISIBILITY_DBNAME (deploy/temporal/server.env) and the connection from
# SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD.
set -eu

setup() {
  database=$1
  schema=$2
  # Versioning starts at 0.0 only in a new database: in an existing one it would reset its version.
  if temporal-sql-tool --plugin "$DB" --db "$database" create-database; then
    temporal-sql-tool --plugin "$DB" --db "$database" setup-schema -v 0.0
  fi
  temporal-sql-tool --plugin "$DB" --db "$database" update-schema --schema-name "$schema"
}

setup "$DBNAME" postgresql/v12/temporal
setup "$VISIBILITY_DBNAME" postgresql/v12/visibility
