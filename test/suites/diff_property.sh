#!/usr/bin/env bash
# diff_property.sh -- the property test of mig_diff: random schema pairs
# (test/diff/schemagen.py, reproducible from a seed) are diffed in both
# directions, the statements applied one by one, and then mig_diff must
# return no rows and pg_dump --schema-only of both schemas must match once
# the schema names are replaced (test/diff/property.py says exactly what is
# compared).  mig_diff_models(mig_model(), mig_model()) must give the same
# statements as mig_diff() (the jsonb form of the model round-trips).
#
# SCHEMAMIG_DIFF_SEEDS seeds (default 40) from SCHEMAMIG_DIFF_FIRST_SEED
# (default 1); a failure prints the seed, which reproduces with
#   python3 test/diff/property.py --dbname DB --first SEED --seeds 1 --keep -v
#
# Run by test/run_all.sh with PGHOST, PGPORT, PGUSER, SCHEMAMIG_ROOT and
# SCHEMAMIG_CORPUS set; creates and drops its own database and the role
# schemagen_role (the grantee of the generated privileges and policies).
SUITE=diff_property
. "$(cd "$(dirname "$0")" && pwd)/../corpus/lib.sh"
preflight
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || fail "python3-psycopg2 is required"

DB=diff_property_$$
SEEDS=${SCHEMAMIG_DIFF_SEEDS:-40}
FIRST=${SCHEMAMIG_DIFF_FIRST_SEED:-1}

# the role the generated GRANTs and policies name (cluster-wide)
if [ -z "$(val postgres "SELECT 1 FROM pg_roles WHERE rolname = 'schemagen_role'")" ]; then
	new_role schemagen_role
fi
new_db "$DB"

t=$(date +%s.%N)
PGDATABASE=$DB SCHEMAMIG_PG_BIN=$PGBIN /usr/bin/python3 "$SCHEMAMIG_ROOT/test/diff/property.py" \
	--dbname "$DB" --seeds "$SEEDS" --first "$FIRST" >"$WORK/property.out" 2>&1
rc=$?
tail -n 1 "$WORK/property.out"
if [ $rc -ne 0 ]; then
	grep -A40 '^FAIL' "$WORK/property.out" | head -200 >&2
	fail "the property test failed (seeds $FIRST..$((FIRST + SEEDS - 1)))"
fi
log "$SEEDS seeds in $(elapsed "$t") s"
