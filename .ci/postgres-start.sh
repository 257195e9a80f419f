#!/usr/bin/env bash
# Starts Debian's PostgreSQL cluster on 127.0.0.1:5432 and creates the test
# role and database (idempotent).
set -euo pipefail
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q online; then
  pg_ctlcluster "$ver" main start || { pg_createcluster "$ver" main && pg_ctlcluster "$ver" main start; }
fi
for i in $(seq 1 30); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
su postgres -c "psql -tAc \"select 1 from pg_roles where rolname='vigil'\"" | grep -q 1 \
  || su postgres -c "psql -c \"create role vigil login superuser password 'vigil'\""
su postgres -c "psql -tAc \"select 1 from pg_database where datname='vigil_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O vigil vigil_test"
