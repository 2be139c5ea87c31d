#!/bin/bash
# bench/lock_queue.sh -- the lock-queue outage, with and without schemamig.
#
#   bench/lock_queue.sh [--clients N] [--duration S] [--lock-timeout T]
#                       [--keep]
#
# pgbench clients read a table t for DURATION (20) seconds.  At 2 s one
# session opens a transaction that reads t and stays open for 10 s; at 3 s a
# migration adds a column to t.  The ALTER TABLE needs an ACCESS EXCLUSIVE
# lock, so it queues behind the open transaction, and every read that
# arrives after it queues behind the ALTER: the readers stall until the long
# transaction ends.  Run twice: with a plain ALTER TABLE in psql, and with
# mig_upgrade() under schemamig.lock_timeout (200 ms; retries and backoff at
# their defaults), which gives up its place in the queue after each timeout
# and tries again.  Prints the clients' worst stall (the longest latency of
# any read, from pgbench's per-transaction log) in both runs and the ratio.
#
# Starts its own throwaway cluster (initdb in a temporary directory, as the
# postgres user when run as root, socket only, port BENCH_PORT or 55600) with
# schemamig preloaded; needs schemamig installed (make && make install).
# Never fails on a time.  See bench/README.md.
set -euo pipefail

PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PORT="${BENCH_PORT:-55600}"
CLIENTS=4
DURATION=20
HOLD_AT=2
HOLD_FOR=10
MIGRATE_AT=3
LOCK_TIMEOUT=200ms
ROWS=100000
KEEP=

while [ $# -gt 0 ]; do
	case "$1" in
		--clients) CLIENTS="$2"; shift ;;
		--duration) DURATION="$2"; shift ;;
		--lock-timeout) LOCK_TIMEOUT="$2"; shift ;;
		--keep) KEEP=1 ;;
		-h|--help) sed -n '2,21p' "$0"; exit 0 ;;
		*) echo "lock_queue.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

if [ ! -x "$PGBIN/postgres" ] || [ ! -x "$PGBIN/pgbench" ]; then
	echo "lock_queue.sh: no PostgreSQL server or pgbench in $PGBIN (set PGBIN)" >&2
	exit 2
fi
if [ ! -f "$("$PGBIN/pg_config" --sharedir)/extension/schemamig.control" ]; then
	echo "lock_queue.sh: schemamig is not installed; run 'make && make install' first" >&2
	exit 2
fi
if [ "$DURATION" -lt $((HOLD_AT + HOLD_FOR + 3)) ]; then
	echo "lock_queue.sh: --duration must be at least $((HOLD_AT + HOLD_FOR + 3)) s" >&2
	exit 2
fi

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_cluster lockq
as_pg "$PGBIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -o \
	"-c shared_preload_libraries=schemamig -c listen_addresses='' -c unix_socket_directories=$D -p $PORT -c fsync=off -c max_connections=20" \
	start >/dev/null

export PGHOST="$D" PGPORT="$PORT" PGUSER=postgres PGDATABASE=lockq
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1)
"$PGBIN/createdb" lockq
"${PSQL[@]}" <<EOF
CREATE EXTENSION schemamig;
CREATE TABLE t (id int PRIMARY KEY, v text);
INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE t;
SET schemamig.progress = off;
SELECT mig_revision('add_c', NULL, 'ALTER TABLE t ADD COLUMN c int', 'ALTER TABLE t DROP COLUMN c', 'add c');
EOF
printf '\\set id random(1, %d)\nSELECT id, v FROM t WHERE id = :id;\n' "$ROWS" >"$D/read.sql"

# now_s: seconds since the epoch, with milliseconds
now_s() {
	date +%s.%3N
}

# scenario NAME SQL: the readers for DURATION s, the long transaction at
# HOLD_AT s, SQL (the migration) at MIGRATE_AT s.  Writes NAME.pgbench (its
# output), NAME.log* (per-transaction log) and NAME.times (start of the run,
# end of the migration).
scenario() {
	local name=$1 sql=$2 start pgb holder mig

	start=$(now_s)
	(cd "$D" && exec "$PGBIN/pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" \
		-f "$D/read.sql" --log --log-prefix="$D/$name.log" lockq) >"$D/$name.pgbench" 2>&1 &
	pgb=$!
	sleep "$HOLD_AT"
	"${PSQL[@]}" -c "SET application_name = 'long transaction'" \
		-c "BEGIN; SELECT count(*) FROM t; SELECT pg_sleep($HOLD_FOR); COMMIT;" >/dev/null &
	holder=$!
	sleep $((MIGRATE_AT - HOLD_AT))
	{
		"${PSQL[@]}" -c "$sql" >"$D/$name.migration" 2>&1
		now_s >"$D/$name.migrated"
	} &
	mig=$!
	wait "$pgb" "$holder" "$mig"
	echo "$start $(cat "$D/$name.migrated")" >"$D/$name.times"
}

# stats NAME: "worst_ms reads reads_over_lock_timeout reads_over_1s tps"
stats() {
	local name=$1 lt_ms

	lt_ms=$(awk -v t="$LOCK_TIMEOUT" 'BEGIN { v = t + 0; if (t ~ /ms$/) print v; else if (t ~ /s$/) print v * 1000; else print v }')
	# pgbench -l: client_id transaction_no latency_us script_no epoch epoch_us
	cat "$D/$name".log* | awk -v lt="$lt_ms" -v dur="$DURATION" '
		{ n++; us = $3; if (us > max) max = us; if (us > lt * 1000) over_lt++; if (us > 1000000) over_1s++ }
		END { printf "%.0f %d %d %d %.0f\n", max / 1000, n, over_lt, over_1s, n / dur }'
}

echo "lock_queue: $CLIENTS pgbench clients read t ($ROWS rows) for $DURATION s; a transaction"
echo "reads t at ${HOLD_AT} s and stays open ${HOLD_FOR} s; ALTER TABLE t ADD COLUMN at ${MIGRATE_AT} s."
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

scenario plain "ALTER TABLE t ADD COLUMN c int"
"${PSQL[@]}" -c "ALTER TABLE t DROP COLUMN c" >/dev/null

scenario schemamig "SET schemamig.progress = off; SET schemamig.lock_timeout = '$LOCK_TIMEOUT'; SELECT * FROM mig_upgrade('head');"
if ! "${PSQL[@]}" -At -c "SELECT count(*) FROM mig_current() WHERE mig_current = 'add_c'" | grep -qx 1; then
	echo "lock_queue.sh: the schemamig migration did not apply:" >&2
	cat "$D/schemamig.migration" >&2
	exit 1
fi
retries=$(grep -c "could not get a lock" "$D/server.log" || true)
for name in plain schemamig; do
	if grep -q "error" "$D/$name.pgbench"; then
		echo "lock_queue.sh: pgbench reported errors in the $name run (the numbers are incomplete):" >&2
		grep "error" "$D/$name.pgbench" | sort | uniq -c >&2
	fi
done

read -r p_worst p_n p_lt p_1s p_tps <<<"$(stats plain)"
read -r s_worst s_n s_lt s_1s s_tps <<<"$(stats schemamig)"
read -r p_start p_done <"$D/plain.times"
read -r s_start s_done <"$D/schemamig.times"

echo
printf '%-32s %12s %12s %14s %10s %16s\n' "" "worst stall" "reads" "> $LOCK_TIMEOUT" "> 1 s" "migration done"
printf '%-32s %9s ms %12s %14s %10s %14.1f s\n' "plain ALTER TABLE (psql)" "$p_worst" "$p_n" "$p_lt" "$p_1s" \
	"$(echo "$p_done - $p_start" | bc)"
printf '%-32s %9s ms %12s %14s %10s %14.1f s\n' "schemamig, lock_timeout $LOCK_TIMEOUT" "$s_worst" "$s_n" "$s_lt" "$s_1s" \
	"$(echo "$s_done - $s_start" | bc)"
echo
echo "worst stall, schemamig / plain: $(printf '%.3f' "$(echo "scale=4; $s_worst / $p_worst" | bc)")" \
	"(target: schemamig bounded by the lock timeout, plain ~ the ${HOLD_FOR} s the transaction stays open)"
echo "schemamig gave up its place in the lock queue $retries times before the ALTER got through."
