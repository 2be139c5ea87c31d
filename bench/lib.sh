# bench/lib.sh -- what every benchmark script needs to run its own
# throwaway cluster; sourced, never run.
#
#   as_pg CMD...            run CMD as postgres when we are root (initdb
#                           refuses root), as ourselves otherwise
#   bench_cluster TAG       make the directory $D (/tmp/schemamig-TAG.XXXXXX,
#                           readable by postgres), initdb $D/data in it, and
#                           on exit stop the server and remove $D (kept, and
#                           said so, when $KEEP is set)
#
# The caller sets PGBIN (PostgreSQL's bin directory) and KEEP before calling
# bench_cluster, and starts the server itself with its own settings.

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

bench_cluster() {
	BENCH_TAG=$1
	D="$(mktemp -d "/tmp/schemamig-$BENCH_TAG.XXXXXX")"
	chmod 755 "$D"
	[ "$(id -u)" = 0 ] && chown postgres: "$D"
	trap bench_cleanup EXIT
	as_pg "$PGBIN/initdb" -D "$D/data" -A trust -U postgres --no-sync >"$D/initdb.log" 2>&1 ||
		{ cat "$D/initdb.log" >&2; exit 1; }
}

bench_cleanup() {
	as_pg "$PGBIN/pg_ctl" -D "$D/data" -m immediate -w stop >/dev/null 2>&1 || true
	if [ -n "${KEEP:-}" ]; then
		echo "$(basename "$0"): kept $D" >&2
	else
		rm -rf "$D"
	fi
}
