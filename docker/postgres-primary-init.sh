#!/bin/sh
# Run once by the postgres image when it initialises the primary's cluster (docker-entrypoint-initdb.d):
# the streaming replica (service postgres-replica) connects for replication with the same user.
# Unrun here (no Docker engine on the build machine): written from the image's documentation.
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "${PGDATA}/pg_hba.conf"
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname "${POSTGRES_DB}" \
  -c "SELECT pg_create_physical_replication_slot('tthc_replica', true)"
