#!/bin/bash
# bench/run.sh -- run the schemamig benchmarks against a throwaway cluster.
#
#   bench/run.sh [--quick] [--sections chain,register,graph,overhead] [--out FILE.md]
#                [--json FILE.json] [--keep] [--chain N] [--big N] [--reps N]
#
# Starts its own PostgreSQL 15 cluster (initdb in a temporary directory, as
# the postgres user when run as root), with schemamig preloaded, runs
# bench/bench.py against it and stops it again.  Needs schemamig installed
# into that server first (make && make install).  Prints ratios measured
# side by side in one run; never fails on a time.  See bench/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
PORT="${BENCH_PORT:-5530}"
PY=/usr/bin/python3
QUICK=
KEEP=
SECTIONS=chain,register,graph,overhead
OUT=
JSON=
EXTRA=()

while [ $# -gt 0 ]; do
	case "$1" in
		--quick) QUICK=--quick ;;
		--keep) KEEP=1 ;;
		--sections) SECTIONS="$2"; shift ;;
		--out) OUT="$(realpath -m "$2")"; shift ;;
		--json) JSON="$(realpath -m "$2")"; shift ;;
		--chain|--big|--reps) EXTRA+=("$1" "$2"); shift ;;
		-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
		*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

if [ ! -x "$PGBIN/postgres" ]; then
	echo "run.sh: no PostgreSQL server in $PGBIN (set PGBIN)" >&2
	exit 2
fi
SHAREDIR="$("$PGBIN/pg_config" --sharedir)"
if [ ! -f "$SHAREDIR/extension/schemamig.control" ]; then
	echo "run.sh: schemamig is not installed in $SHAREDIR; run 'make && make install' first" >&2
	exit 2
fi
if ! "$PY" -c 'import psycopg2' 2>/dev/null; then
	echo "run.sh: $PY lacks psycopg2 (apt-get install python3-psycopg2)" >&2
	exit 2
fi

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_cluster bench
mkdir -p "$D/work"

# The cluster of the brief, plus:
#  max_locks_per_transaction=256: one transaction that creates or drops a
#    thousand tables (each with its indexes, constraints, triggers and
#    types) overflows the default lock table (64 x 100 slots) -- for the
#    psql floor as much as for mig_upgrade;
#  autovacuum=off, max_wal_size=4GB: no background work between the runs
#    that are compared.
as_pg "$PGBIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 60 \
	-o "-c shared_preload_libraries=schemamig -c listen_addresses='' -c unix_socket_directories=$D -p $PORT -c fsync=off -c max_locks_per_transaction=256 -c autovacuum=off -c max_wal_size=4GB" \
	start >/dev/null

echo "run.sh: cluster in $D (port $PORT)" >&2
"$PY" "$HERE/bench.py" --host "$D" --port "$PORT" --pgbin "$PGBIN" \
	--workdir "$D/work" --sections "$SECTIONS" $QUICK \
	${OUT:+--markdown "$OUT"} ${JSON:+--json "$JSON"} ${EXTRA[@]+"${EXTRA[@]}"}
