#!/bin/bash
# bench/hook_bench.sh -- what the DDL hook costs: DDL statements and pgbench
# -S with the library preloaded against the same server without it.
#
#   bench/hook_bench.sh [--statements N] [--rounds R (5)] [--seconds S] [--keep]
#
# Starts its own PostgreSQL 15 cluster (initdb in a temporary directory, as
# postgres when run as root; fsync, autovacuum and full_page_writes off),
# and restarts it with and without shared_preload_libraries = 'schemamig'
# in every round.  Needs schemamig installed into that server first (make &&
# make install).  Prints medians and ratios; never fails on a time.
#
#   DDL: N statements (default 10,000: CREATE TABLE / DROP TABLE pairs, one
#   statement per transaction, pgbench -n -t N/2 with a two-line script),
#   in a fresh database each time:
#     no library            shared_preload_libraries = '' (the floor, 1.00)
#     hook, no extension    preloaded; a database without the extension
#     hook, log off         preloaded; extension installed, ALTER DATABASE
#                           ... SET schemamig.ddl_log = off
#     hook, log on          preloaded; extension installed, logging on (one
#                           row per statement, with its objects)
#   The ratios the issue asks for: "hook, log on" and "hook, log off" over
#   "no library" (target: at most 1.05).  Each round runs the floor and the
#   library side by side (in alternating order) and the table gives, besides
#   the medians over all rounds, the median of the per-round ratios, for
#   wall clock and for the backend's user CPU: the kernel's file creation
#   (system time) is the same work on both sides and the noisiest part of a
#   DDL statement on a shared machine.
#
#   In one session: batches of CREATE TABLE / DROP TABLE alternating between
#   schemamig.ddl_log on and off, timed inside the server (the logging's own
#   cost, least sensitive to other load on the machine).
#
#   When perf is installed (and we are root): a CPU profile of the backend
#   running the DDL with logging on, and the share of its samples spent in
#   the hook and the event triggers: the overhead, measured without
#   comparing two noisy runs; and the same for a backend serving pgbench -S,
#   whose samples in the library at all are counted.
#
#   pgbench -S: a scale-10 pgbench database with the extension installed,
#   S seconds (default 10) of select-only transactions, 2 clients, with and
#   without the library (target: at least 0.99 of the TPS without it).
#
# The machine may be shared: the rounds interleave the configurations, each
# server start is followed by a warm-up run, and the tables show medians and
# the median of the per-round ratios; the load average is printed with each
# round.  Compare ratios, and re-run when the load is high.
set -euo pipefail

PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PORT="${BENCH_PORT:-5531}"
STATEMENTS=10000
ROUNDS=5
SECONDS_S=10
KEEP=

while [ $# -gt 0 ]; do
	case "$1" in
		--statements) STATEMENTS="$2"; shift ;;
		--rounds) ROUNDS="$2"; shift ;;
		--seconds) SECONDS_S="$2"; shift ;;
		--keep) KEEP=1 ;;
		-h|--help) sed -n '2,37p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "hook_bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

if [ ! -x "$PGBIN/postgres" ]; then
	echo "hook_bench.sh: no PostgreSQL server in $PGBIN (set PGBIN)" >&2
	exit 2
fi
if [ ! -f "$("$PGBIN/pg_config" --sharedir)/extension/schemamig.control" ]; then
	echo "hook_bench.sh: schemamig is not installed; run 'make && make install' first" >&2
	exit 2
fi

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_cluster hookbench

# start_server PRELOAD: (re)start the cluster with shared_preload_libraries
# set to PRELOAD ('' or 'schemamig').
start_server() {
	as_pg "$PGBIN/pg_ctl" -D "$D/data" -m fast -w stop >/dev/null 2>&1 || true
	as_pg "$PGBIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 60 \
		-o "-c shared_preload_libraries='$1' -c listen_addresses='' -c unix_socket_directories=$D -p $PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off -c max_wal_size=4GB -c checkpoint_timeout=1h" \
		start >/dev/null
}

psql_q() {
	as_pg env PGOPTIONS='-c client_min_messages=warning' \
		"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$D" -p "$PORT" -U postgres "$@"
}

# fresh_db NAME [extension] [log-off]: drop and create a database.
fresh_db() {
	psql_q -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
	if [ "${2:-}" = extension ]; then
		psql_q -d "$1" -c "CREATE EXTENSION schemamig"
	fi
	if [ "${3:-}" = log-off ]; then
		psql_q -d "$1" -c "ALTER DATABASE $1 SET schemamig.ddl_log = off"
	fi
}

printf 'CREATE TABLE hook_bench_t (id int PRIMARY KEY, v text);\nDROP TABLE hook_bench_t;\n' >"$D/ddl.sql"
chmod 644 "$D/ddl.sql"

# ddl_run DB: run STATEMENTS DDL statements; print "wall cpu user":
# microseconds per statement of wall clock (pgbench's TPS, connection
# excluded), of the backend's CPU (user + system from /proc/<pid>/stat,
# sampled every 20 ms while pgbench runs) and of its user CPU alone.  The
# system time is mostly the kernel creating and unlinking the tables' files,
# the same work with and without the library and the noisiest part on a
# shared machine; the user time is where the hook's own work shows.
ddl_run() {
	local bg pid="" ticks cpu=0 usr=0 now tps

	ticks=$(getconf CLK_TCK)
	as_pg "$PGBIN/pgbench" -n -h "$D" -p "$PORT" -U postgres -f "$D/ddl.sql" \
		-t $((STATEMENTS / 2)) "$1" >"$D/pgbench-ddl.out" 2>&1 &
	bg=$!
	# the backend, by its process title ("postgres: postgres DB [local] ...")
	while kill -0 "$bg" 2>/dev/null; do
		if [ -z "$pid" ]; then
			pid=$(pgrep -n -f "^postgres: postgres $1 " || true)
		elif now=$(awk '{ print $14 + $15, $14 }' "/proc/$pid/stat" 2>/dev/null); then
			cpu=${now% *}
			usr=${now#* }
		fi
		sleep 0.02
	done
	wait "$bg"
	tps=$(sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' "$D/pgbench-ddl.out")
	# "-" for the CPU when no sample was taken
	awk -v t="$tps" -v c="$cpu" -v u="$usr" -v k="$ticks" -v n="$STATEMENTS" \
		'BEGIN { printf "%.1f %s %s\n", 1e6 / t / 2,
				 (c > 0 ? sprintf("%.1f", c / k * 1e6 / n) : "-"),
				 (u > 0 ? sprintf("%.1f", u / k * 1e6 / n) : "-") }'
}

# select_run: pgbench -S for SECONDS_S seconds; print TPS.
select_run() {
	as_pg "$PGBIN/pgbench" -n -S -c 2 -j 2 -T "$SECONDS_S" -h "$D" -p "$PORT" -U postgres pgb 2>&1 |
		sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p'
}

median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# warm_up: after a restart, run a tenth of the DDL in a scratch database so
# that no configuration is measured on cold caches
warm_up() {
	fresh_db warm
	STATEMENTS=$((STATEMENTS / 10)) ddl_run warm >/dev/null
	psql_q -d postgres -c "DROP DATABASE warm"
}

loadavg() {
	cut -d' ' -f1-3 /proc/loadavg
}

echo "hook_bench.sh: cluster in $D (port $PORT), $STATEMENTS DDL statements, $ROUNDS rounds, pgbench -S ${SECONDS_S}s" >&2

# the pgbench database is made once, with the extension installed
start_server schemamig
psql_q -d postgres -c "CREATE DATABASE pgb"
as_pg "$PGBIN/pgbench" -i -q -s 10 -h "$D" -p "$PORT" -U postgres pgb >"$D/pgbench-init.log" 2>&1
psql_q -d pgb -c "CREATE EXTENSION schemamig" -c "VACUUM ANALYZE"

declare -A DDL=()		# config -> wall us per statement, one per round
declare -A CPU=()		# config -> backend CPU us per statement
declare -A USR=()		# config -> backend user CPU us per statement
declare -A RAT=()		# config -> wall ratio to "none" within the round
declare -A URAT=()		# config -> user CPU ratio to "none" within the round
declare -A TPS=()		# config -> pgbench -S TPS
TRAT=""				# pgbench -S TPS ratio, library over none, per round
# measure CONFIG DB: one DDL run, recorded under CONFIG
measure() {
	local out w c u

	out=$(ddl_run "$2")
	read -r w c u <<<"$out"
	DDL[$1]+="$w "
	CPU[$1]+="$c "
	USR[$1]+="$u "
}
# floor_round / hook_round: the two halves of a round
floor_round() {
	start_server ''
	warm_up
	fresh_db bdb
	measure none bdb
	TPS[none]+="$(select_run) "
}
hook_round() {
	start_server schemamig
	warm_up
	fresh_db bdb
	measure noext bdb
	fresh_db bdb extension log-off
	measure off bdb
	fresh_db bdb extension
	measure on bdb
	rows=$(psql_q -d bdb -At -c "SELECT count(*) FROM schemamig.ddl_log")
	[ "$rows" = "$STATEMENTS" ] ||
		echo "hook_bench.sh: expected $STATEMENTS log rows, found $rows" >&2
	TPS[hook]+="$(select_run) "
}
# last VALUES: the last word of a list
last() {
	echo "${1% }" | awk '{ print $NF }'
}
for ((r = 1; r <= ROUNDS; r++)); do
	echo "round $r/$ROUNDS (load $(loadavg))" >&2
	# the order alternates, so that a drift of the machine's load does not
	# always favour the same side
	if ((r % 2)); then
		floor_round
		hook_round
	else
		hook_round
		floor_round
	fi
	TRAT+="$(awk -v a="$(last "${TPS[hook]}")" -v b="$(last "${TPS[none]}")" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.3f", a / b }') "
	for c in noext off on; do
		RAT[$c]+="$(awk -v a="$(last "${DDL[$c]}")" -v b="$(last "${DDL[none]}")" 'BEGIN { printf "%.3f", a / b }') "
		URAT[$c]+="$(awk -v a="$(last "${USR[$c]}")" -v b="$(last "${USR[none]}")" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.3f", a / b }') "
	done
done

# runs without a value ("-") do not count
med() {
	echo "$1" | tr ' ' '\n' | grep -v '^-\?$' | median
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}
base=$(med "${DDL[none]}")
cbase=$(med "${CPU[none]}")
tbase=$(med "${TPS[none]}")

echo
echo "## DDL: $STATEMENTS statements (CREATE TABLE / DROP TABLE), median of $ROUNDS"
echo
echo "| configuration | wall us/stmt | ratio | per-round wall ratio (median) | backend CPU us/stmt | CPU ratio | user CPU us/stmt | user CPU ratio | per-round user CPU ratio (median) | wall runs |"
echo "|---|---|---|---|---|---|---|---|---|---|"
ubase=$(med "${USR[none]}")
for c in none noext off on; do
	case $c in
		none) label="no library (floor)" ;;
		noext) label="hook, database without the extension" ;;
		off) label="hook, extension, schemamig.ddl_log = off" ;;
		on) label="hook, extension, logging on" ;;
	esac
	m=$(med "${DDL[$c]}")
	cm=$(med "${CPU[$c]}")
	um=$(med "${USR[$c]}")
	if [ "$c" = none ]; then
		pr=1.000
		pu=1.000
	else
		pr=$(med "${RAT[$c]}")
		pu=$(med "${URAT[$c]}")
	fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$m" "$(ratio "$m" "$base")" "$pr" \
		"$cm" "$(ratio "$cm" "$cbase")" "$um" "$(ratio "$um" "$ubase")" "$pu" "${DDL[$c]% }"
done
echo
echo "## pgbench -S: ${SECONDS_S}s, 2 clients, scale 10, median of $ROUNDS"
echo
echo "| configuration | TPS | ratio | per-round ratio (median) | runs |"
echo "|---|---|---|---|---|"
for c in none hook; do
	case $c in
		none) label="no library (floor)" ;;
		hook) label="library preloaded, extension installed" ;;
	esac
	m=$(med "${TPS[$c]}")
	if [ "$c" = none ]; then
		pr=1.000
	else
		pr=$(med "$TRAT")
	fi
	printf '| %s | %s | %s | %s | %s |\n' "$label" "$m" "$(ratio "$m" "$tbase")" "$pr" "${TPS[$c]% }"
done
# In one backend, batches of CREATE TABLE / DROP TABLE (a commit after each
# pair) alternate between logging on and off, timed inside the server: slow
# drifts of the machine's load hit both alike.
start_server schemamig
fresh_db bdb extension
psql_q -d bdb <<'SQL'
CREATE TABLE ab_result (cfg text, secs float8);
CREATE PROCEDURE ab(rounds int, batch int) LANGUAGE plpgsql AS $f$
DECLARE
	t0 timestamptz;
	mode text;
BEGIN
	FOR r IN 1..rounds LOOP
		FOREACH mode IN ARRAY CASE WHEN r % 2 = 0 THEN ARRAY['on', 'off'] ELSE ARRAY['off', 'on'] END LOOP
			PERFORM set_config('schemamig.ddl_log', mode, false);
			t0 := clock_timestamp();
			FOR i IN 1..batch LOOP
				EXECUTE 'CREATE TABLE ab_t (id int PRIMARY KEY, v text)';
				EXECUTE 'DROP TABLE ab_t';
				COMMIT;
			END LOOP;
			INSERT INTO ab_result VALUES (mode, extract(epoch FROM clock_timestamp() - t0));
			COMMIT;
		END LOOP;
	END LOOP;
END
$f$;
SQL
BATCH=$((STATEMENTS / 160 > 0 ? STATEMENTS / 160 : 1))
psql_q -d bdb -c "CALL ab(40, $BATCH)"
echo
echo "## Logging on and off alternating in one session: 40 batches each of $((2 * BATCH)) statements"
echo
psql_q -d bdb -P footer=off -v stmts=$((2 * BATCH)) <<'SQL'
SELECT cfg AS "schemamig.ddl_log",
	   round((percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) * 1e6 / :stmts)::numeric, 1) AS "median us/stmt",
	   round((min(secs) * 1e6 / :stmts)::numeric, 1) AS "min us/stmt"
  FROM ab_result GROUP BY cfg ORDER BY cfg DESC;
SELECT round((on_.m / off_.m)::numeric, 3) AS "ratio on/off (medians)"
  FROM (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS m FROM ab_result WHERE cfg = 'on') AS on_,
	   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS m FROM ab_result WHERE cfg = 'off') AS off_;
SQL

# Where the backend's CPU goes, when perf is installed: a profile of the DDL
# run with logging on, each sample given to the hook or to the statement.
# The hook's samples are those in its own code outside the statement it
# runs (the checks, the log row) and those in the event triggers, the
# server's side of them included (which the extension's event triggers
# switch on for every DDL statement).  A share of CPU samples, not a time:
# other load on the machine slows both sides alike.
# profile_pgbench DB DATA PGBENCH-ARGS...: run pgbench against DB with a CPU
# profile of its backend written to DATA; false when the backend was not
# found (pgbench ended first)
profile_pgbench() {
	local db=$1 data=$2 bg pid="" perf_pid

	shift 2
	as_pg "$PGBIN/pgbench" -n -h "$D" -p "$PORT" -U postgres "$@" "$db" \
		>"$data.pgbench.out" 2>&1 &
	bg=$!
	while [ -z "$pid" ] && kill -0 "$bg" 2>/dev/null; do
		pid=$(pgrep -n -f "^postgres: postgres $db " || true)
		sleep 0.01
	done
	[ -n "$pid" ] || return 1
	perf record -q -e cpu-clock -F 999 -g -p "$pid" -o "$data" >/dev/null 2>&1 &
	perf_pid=$!
	wait "$bg" || true
	kill -INT "$perf_pid" 2>/dev/null || true
	wait "$perf_pid" 2>/dev/null || true
}

# samples DATA: one line per CPU sample of a profile, its stack's frames
# ("symbol+offset (library)") side by side
samples() {
	perf script -i "$1" 2>/dev/null | awk '
		function flush() { if (stack != "") print stack; stack = "" }
		NF == 0 || /^[^ \t]/ { flush(); next }
		{ stack = stack " " $2 " " $3 }
		END { flush() }'
}

# share TOTAL PART: PART of TOTAL samples as a percentage
share() {
	awk -v t="$1" -v p="$2" 'BEGIN { printf "%.2f%%", t ? 100 * p / t : 0 }'
}

if command -v perf >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	start_server schemamig
	warm_up
	fresh_db bdb extension
	if profile_pgbench bdb "$D/perf-ddl.data" -f "$D/ddl.sql" -t $((STATEMENTS / 2)); then
		samples "$D/perf-ddl.data" >"$D/perf-ddl.txt"
		total=$(wc -l <"$D/perf-ddl.txt")
		hook=$(awk '/ (EventTrigger[A-Za-z]*|pg_event_trigger_[a-z_]*)\+/ ||
					(/schemamig\.so/ && !/ standard_ProcessUtility\+/)' "$D/perf-ddl.txt" | wc -l)
		echo
		echo "## CPU profile of the backend, logging on: the hook's share"
		echo
		echo "| samples | in the hook | share | implied ratio to the same work without it |"
		echo "|---|---|---|---|"
		implied=$(awk -v t="$total" -v h="$hook" 'BEGIN { printf "%.3f", (t > h) ? t / (t - h) : 0 }')
		echo "| $total | $hook | $(share "$total" "$hook") | $implied |"
	fi

	# pgbench -S: samples of a backend serving select-only transactions
	# that are in the library at all (the DDL hook is never on their path)
	if profile_pgbench pgb "$D/perf-S.data" -S -c 1 -T "$SECONDS_S"; then
		samples "$D/perf-S.data" >"$D/perf-S.txt"
		total=$(wc -l <"$D/perf-S.txt")
		lib=$(grep -c 'schemamig\.so' "$D/perf-S.txt" || true)
		echo
		echo "## CPU profile of a pgbench -S backend, library preloaded: samples in the library"
		echo
		echo "| samples | in schemamig.so | share |"
		echo "|---|---|---|"
		echo "| $total | $lib | $(share "$total" "$lib") |"
	fi
fi

echo
echo "load average at the end: $(loadavg)"
