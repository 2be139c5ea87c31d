#!/bin/bash
# bench/diff_bench.sh -- the schema model and mig_diff on two schemas of
# 5,000 tables, 50,000 columns and 10,000 indexes, against migra
# (npm @pgkit/migra) on the same two schemas.
#
#   bench/diff_bench.sh [--tables N] [--reps N] [--no-migra] [--keep]
#
# Starts its own PostgreSQL 15 cluster (initdb in a temporary directory, as
# the postgres user when run as root) with schemamig preloaded, installs
# @pgkit/migra with npm into a cache directory (bench/.cache/migra, once;
# skipped with a message when npm or the registry is not there), runs
# bench/diff_bench.py and stops the cluster.  Needs schemamig installed
# (make && make install).  Prints times and ratios, wall clock and the
# server's CPU time; never fails on a time.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PORT="${BENCH_PORT:-5533}"
PY=/usr/bin/python3
KEEP=
MIGRA=1
EXTRA=()
MIGRA_VERSION=0.6.1

while [ $# -gt 0 ]; do
	case "$1" in
		--keep) KEEP=1 ;;
		--no-migra) MIGRA= ;;
		--tables|--reps) EXTRA+=("$1" "$2"); shift ;;
		-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
		*) echo "diff_bench.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

SHAREDIR="$("$PGBIN/pg_config" --sharedir)"
if [ ! -f "$SHAREDIR/extension/schemamig.control" ]; then
	echo "diff_bench.sh: schemamig is not installed in $SHAREDIR; run 'make && make install' first" >&2
	exit 2
fi
"$PY" -c 'import psycopg2' 2>/dev/null ||
	{ echo "diff_bench.sh: $PY lacks psycopg2 (apt-get install python3-psycopg2)" >&2; exit 2; }

# migra, from the npm registry, cached beside the benchmark
MIGRA_JS=
if [ -n "$MIGRA" ]; then
	CACHE="$HERE/.cache/migra"
	if [ ! -f "$CACHE/node_modules/@pgkit/migra/dist/command.js" ]; then
		if command -v npm >/dev/null && command -v node >/dev/null; then
			mkdir -p "$CACHE"
			echo "diff_bench.sh: installing @pgkit/migra@$MIGRA_VERSION with npm into $CACHE"
			(cd "$CACHE" && npm install --no-audit --no-fund --loglevel=error \
				"@pgkit/migra@$MIGRA_VERSION" >npm.log 2>&1) ||
				echo "diff_bench.sh: npm install failed (see $CACHE/npm.log); migra is skipped" >&2
		else
			echo "diff_bench.sh: no node/npm; migra is skipped" >&2
		fi
	fi
	[ -f "$CACHE/node_modules/@pgkit/migra/dist/command.js" ] &&
		MIGRA_JS="$CACHE/node_modules/@pgkit/migra/dist/command.js"
fi

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_cluster diffbench
as_pg "$PGBIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w start -o \
	"-c shared_preload_libraries=schemamig -c listen_addresses='' -c unix_socket_directories=$D -p $PORT -c fsync=off -c autovacuum=off -c max_wal_size=4GB -c max_locks_per_transaction=256" \
	>/dev/null

export PGHOST="$D" PGPORT="$PORT" PGUSER=postgres
ARGS=("${EXTRA[@]+"${EXTRA[@]}"}")
[ -n "$MIGRA_JS" ] && ARGS+=(--migra "$MIGRA_JS")
"$PY" "$HERE/diff_bench.py" "${ARGS[@]+"${ARGS[@]}"}"
