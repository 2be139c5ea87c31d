# test/corpus/lib.sh -- shared helpers of the corpus suites (test/suites/corpus_*.sh).
#
# Sourced, not run.  Expects the harness environment: PGHOST, PGPORT,
# PGUSER (postgres), SCHEMAMIG_ROOT, SCHEMAMIG_CORPUS; optional
# SCHEMAMIG_PG_BIN (PostgreSQL's bin directory) and SCHEMAMIG_ARTIFACTS
# (where the files of a failed run are kept).  Reads the corpus in
# place; every generated file goes to a private temporary directory that is
# removed on exit, together with every database the suite created.

set -u
set -o pipefail

PGBIN=${SCHEMAMIG_PG_BIN:-/usr/lib/postgresql/15/bin}
PSQL="$PGBIN/psql"
PG_DUMP="$PGBIN/pg_dump"

SCHEMAMIG_ROOT=${SCHEMAMIG_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SCHEMAMIG_CORPUS=${SCHEMAMIG_CORPUS:-$SCHEMAMIG_ROOT/../shared/corpus}
export PGUSER=${PGUSER:-postgres}
CORPUS_SQL="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/corpus_sql.py"

SUITE=${SUITE:-$(basename "$0" .sh)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$SUITE.XXXXXX")
CREATED_DBS=()
CREATED_ROLES=()
T_SUITE=$(date +%s.%N)

log() { printf '%s: %s\n' "$SUITE" "$*"; }

fail() {
	printf '%s: FAIL: %s\n' "$SUITE" "$*" >&2
	exit 1
}

cleanup() {
	local rc=$? db
	for db in "${CREATED_DBS[@]+"${CREATED_DBS[@]}"}"; do
		"$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
			>/dev/null 2>&1 || printf '%s: warning: could not drop database %s\n' "$SUITE" "$db" >&2
	done
	for db in "${CREATED_ROLES[@]+"${CREATED_ROLES[@]}"}"; do
		"$PSQL" -X -q -d postgres -c "DROP ROLE IF EXISTS \"$db\"" \
			>/dev/null 2>&1 || printf '%s: warning: could not drop role %s\n' "$SUITE" "$db" >&2
	done
	# keep the generated scripts, query outputs and dumps of a failed run
	if [ $rc -ne 0 ] && [ -n "${SCHEMAMIG_ARTIFACTS:-}" ] && [ -d "$SCHEMAMIG_ARTIFACTS" ]; then
		cp -r "$WORK" "$SCHEMAMIG_ARTIFACTS/$SUITE" 2>/dev/null &&
			printf '%s: files of the failed run kept in %s\n' "$SUITE" "$SCHEMAMIG_ARTIFACTS/$SUITE" >&2
	fi
	rm -rf "$WORK"
	if [ $rc -eq 0 ]; then
		printf '%s: PASS (%s s)\n' "$SUITE" "$(elapsed "$T_SUITE")"
	else
		printf '%s: FAILED (exit %d; the server log may say more)\n' "$SUITE" "$rc" >&2
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# elapsed START: seconds since START (a date +%s.%N value), 2 decimals
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# q DB [psql args...]: psql that stops at the first error, no psqlrc,
# unaligned tuples only, quiet.  Extra arguments are passed on (-c, -f, -v ...).
q() {
	local db=$1
	shift
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"
}

# val DB SQL: the rows of a query, for $(...).  A failing query cannot make
# the script fail from inside a command substitution, so it signals the main
# shell, which fails as soon as the current command completes.
MAIN_PID=$$
trap 'fail "a check query failed (its error is printed above)"' USR1
val() {
	local out
	if ! out=$(q "$1" -c "$2"); then
		printf '%s: query failed in database %s:\n%s\n' "$SUITE" "$1" "$2" >&2
		kill -USR1 "$MAIN_PID"
		exit 1
	fi
	printf '%s\n' "$out"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# expect_empty WHAT OUTPUT: OUTPUT (rows from a check query) must be empty
expect_empty() {
	[ -z "$2" ] || fail "$1:
$(printf '%s\n' "$2" | head -20)"
}

# new_db NAME: create a database with the extension, remembered for cleanup
new_db() {
	local db=$1
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$db\"" \
		|| fail "could not create database $db"
	CREATED_DBS+=("$db")
	q "$db" -c "CREATE EXTENSION schemamig" || fail "CREATE EXTENSION schemamig failed in $db"
}

# new_role NAME: a LOGIN role without any privilege, dropped on exit (after
# the databases)
new_role() {
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE \"$1\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" \
		|| fail "could not create role $1"
	CREATED_ROLES+=("$1")
}

# drop_db NAME: drop a database now (it is forgotten for cleanup)
drop_db() {
	local db=$1 i keep=()
	"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
		|| fail "could not drop database $db"
	for i in "${CREATED_DBS[@]}"; do
		[ "$i" = "$db" ] || keep+=("$i")
	done
	CREATED_DBS=("${keep[@]+"${keep[@]}"}")
}

# preflight: the environment the harness promises
preflight() {
	command -v python3 >/dev/null || fail "python3 is required (test/corpus/corpus_sql.py)"
	[ -x "$PSQL" ] || fail "$PSQL not found"
	[ -d "$SCHEMAMIG_CORPUS" ] || fail "corpus not found at SCHEMAMIG_CORPUS=$SCHEMAMIG_CORPUS"
	"$PSQL" -X -q -d postgres -c "SELECT 1" >/dev/null \
		|| fail "cannot connect to the server (PGHOST=${PGHOST:-} PGPORT=${PGPORT:-})"
}
