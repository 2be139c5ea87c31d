# shellcheck shell=bash
#
# test/lib/common.sh
#	  Shell helpers shared by scripts/demo.sh and test/run_all.sh: installing
#	  the Debian packages the project needs, building and installing the
#	  extension, and running a throwaway PostgreSQL 15 cluster as the
#	  "postgres" user in a private temporary directory.
#
# Source this file; it only defines variables and functions.  The callers run
# with "set -euo pipefail", so every function here is written to be safe
# under it, and the cluster functions take the cluster's directory as their
# first argument instead of relying on globals.
#
# A cluster directory made by sm_cluster_init looks like:
#	  DIR/data			the data directory (owned by postgres, mode 0700)
#	  DIR/sock			the unix socket directory (the only way in:
#						listen_addresses = '')
#	  DIR/port			the port number, for the socket's file name
#	  DIR/postgres.log	the server log
#

# shellcheck disable=SC2034 # these are for the scripts that source this file
# PostgreSQL 15 as Debian packages it; always the versioned binaries, never
# the /usr/bin wrappers (those go through pg_ctlcluster).  SCHEMAMIG_PG_BIN
# may point at the bin directory of a relocated copy of that installation
# (PostgreSQL finds its lib and share directories relative to its binaries),
# to build, install and test without touching the system's.
SM_PG_BIN=${SCHEMAMIG_PG_BIN:-/usr/lib/postgresql/15/bin}
SM_PG_CONFIG=$SM_PG_BIN/pg_config
SM_PGXS_DIR=${SM_PG_BIN%/bin}/lib/pgxs
SM_PG_REGRESS=$SM_PGXS_DIR/src/test/regress/pg_regress
SM_PG_ISOLATION_REGRESS=$SM_PGXS_DIR/src/test/isolation/pg_isolation_regress
SM_PG_PERL_LIB=$SM_PGXS_DIR/src/test/perl

# Everything the build, the demo and every test layer needs.
SM_DEB_PACKAGES=(postgresql-15 postgresql-server-dev-15 libipc-run-perl
	python3-alembic python3-psycopg2 build-essential)

# This directory (test/lib), absolute.
SM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------

# sm_log MSG...: a progress line.
sm_log()
{
	printf '==> %s\n' "$*"
}

# sm_die MSG...: an error line on stderr, then exit 1.
sm_die()
{
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# sm_tail FILE [N]: the last N (default 40) lines of FILE, indented, for a
# failure report.
sm_tail()
{
	local file=$1 n=${2:-40}

	[[ -f $file ]] || { echo "    (no log: $file)"; return 0; }
	echo "    --- last $n lines of $file ---"
	tail -n "$n" "$file" | sed 's/^/    | /'
	echo "    ---"
}

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------

# sm_missing_packages: print the packages of SM_DEB_PACKAGES that are not
# installed, one per line.
sm_missing_packages()
{
	local p status

	for p in "${SM_DEB_PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[[ $status == "install ok installed" ]] || echo "$p"
	done
}

# sm_install_deps: install the Debian packages the project needs.  When all
# are installed already this touches neither the network nor apt's lists, so
# it is fast and works offline on a prepared machine.
sm_install_deps()
{
	local missing

	missing=$(sm_missing_packages)
	if [[ -z $missing ]]; then
		sm_log "packages: all installed"
		return 0
	fi
	# shellcheck disable=SC2086 # one package name per word
	set -- $missing
	[[ $EUID -eq 0 ]] || sm_die "missing packages ($*); run as root to install them"
	sm_log "packages: installing $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q "${SM_DEB_PACKAGES[@]}" </dev/null
	missing=$(sm_missing_packages)
	[[ -z $missing ]] || sm_die "still missing after apt-get install: $missing"
}

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

# sm_make DIR ARGS...: make in DIR against PostgreSQL 15.
sm_make()
{
	local dir=$1

	shift
	make -C "$dir" --no-print-directory PG_CONFIG="$SM_PG_CONFIG" "$@"
}

# sm_build_install DIR: build the extension in DIR (the Makefile compiles with
# -Werror) and install it into PostgreSQL 15.  Output goes to stdout.
sm_build_install()
{
	local dir=$1

	sm_make "$dir" -j"$(nproc 2>/dev/null || echo 2)" && sm_make "$dir" install
}

# sm_make_var DIR NAME: print the expanded value of the Makefile variable
# NAME in DIR (for example REGRESS), without editing the Makefile.
sm_make_var()
{
	local dir=$1 name=$2

	sm_make "$dir" -s -f Makefile -f "$SM_LIB_DIR/print-var.mk" "print-$name"
}

# ---------------------------------------------------------------------------
# Running as postgres
# ---------------------------------------------------------------------------

# sm_as_pg CMD...: run CMD as the postgres user (PostgreSQL refuses to run
# as root); as a non-root caller, run it as that caller.  CMD runs in
# SM_PG_CWD (default /), since the caller's directory may be one postgres
# cannot enter (such as /root).
sm_as_pg()
{
	(
		cd "${SM_PG_CWD:-/}" || exit
		if [[ $EUID -eq 0 ]]; then
			exec runuser -u postgres -- "$@"
		else
			exec "$@"
		fi
	)
}

# sm_pg_can_read PATH: can the postgres user read PATH (and so enter every
# directory above it)?
sm_pg_can_read()
{
	sm_as_pg test -r "$1"
}

# sm_mktemp TAG: make a private temporary directory under /tmp (short, so
# that socket paths stay under the 107-byte limit) that postgres owns when
# we are root; print its name.
sm_mktemp()
{
	local dir

	dir=$(mktemp -d "/tmp/schemamig-$1.XXXXXX")
	chmod 0755 "$dir"
	if [[ $EUID -eq 0 ]]; then
		chown postgres: "$dir"
	fi
	echo "$dir"
}

# ---------------------------------------------------------------------------
# The throwaway cluster
# ---------------------------------------------------------------------------

# sm_port_listening PORT: is some process listening on TCP PORT (v4 or v6)?
# Reads /proc so that it needs no extra package.
sm_port_listening()
{
	local hex

	hex=$(printf '%04X' "$1")
	awk -v hex="$hex" '$4 == "0A" { n = split($2, a, ":"); if (a[n] == hex) found = 1 }
		END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# sm_pick_port [FIRST]: print the first port from FIRST (default 55432) on
# that nothing listens on and that no other unix socket in /tmp uses.  Our
# clusters listen on a private socket directory only, so a clash could not
# break them anyway; this keeps the port unique for people reading logs.
sm_pick_port()
{
	local port=${1:-55432}

	while sm_port_listening "$port" || [[ -e /tmp/.s.PGSQL.$port ]]; do
		port=$((port + 1))
		((port < 65000)) || sm_die "no free port found"
	done
	echo "$port"
}

# sm_cluster_init DIR PORT [CONF_LINE...]: initdb a cluster in DIR/data,
# owned by postgres, listening only on the unix socket DIR/sock at PORT,
# with schemamig preloaded.  Extra postgresql.conf lines may follow.
sm_cluster_init()
{
	local dir=$1 port=$2 line

	shift 2
	mkdir -p "$dir/sock"
	if [[ $EUID -eq 0 ]]; then
		chown postgres: "$dir" "$dir/sock"
	fi
	echo "$port" >"$dir/port"
	sm_as_pg "$SM_PG_BIN/initdb" -D "$dir/data" -U postgres -A trust \
		-E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
		{ sm_tail "$dir/initdb.log"; return 1; }
	{
		echo
		echo "# --- added by test/lib/common.sh ---"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir/sock'"
		echo "port = $port"
		echo "shared_preload_libraries = 'schemamig'"
		echo "max_connections = 40"
		echo "log_line_prefix = '%m [%p] %q%u@%d '"
		for line in "$@"; do
			echo "$line"
		done
	} | sm_as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
}

# sm_cluster_start DIR: start the cluster in DIR and wait until it accepts
# connections.
sm_cluster_start()
{
	local dir=$1

	sm_as_pg "$SM_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" \
		-w -t 60 start >"$dir/pg_ctl.log" 2>&1 ||
		{
			sm_tail "$dir/pg_ctl.log" 10
			sm_tail "$dir/postgres.log"
			return 1
		}
}

# sm_cluster_running DIR: does the cluster in DIR accept connections?
sm_cluster_running()
{
	local dir=$1

	"$SM_PG_BIN/pg_isready" -q -h "$dir/sock" -p "$(cat "$dir/port")" \
		-U postgres -d postgres -t 5
}

# sm_cluster_stop DIR: stop the cluster in DIR if it runs: fast shutdown,
# then immediate if that does not finish in time.  Never fails.
sm_cluster_stop()
{
	local dir=$1

	[[ -f $dir/data/postmaster.pid ]] || return 0
	sm_as_pg "$SM_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop \
		>/dev/null 2>&1 ||
		sm_as_pg "$SM_PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop \
			>/dev/null 2>&1 || true
}

# sm_stop_clusters_under DIR: stop every cluster whose data directory lies
# under DIR (ours, and any that a killed TAP test left behind).  Never fails.
sm_stop_clusters_under()
{
	local root=$1 pidfile

	[[ -d $root ]] || return 0
	while IFS= read -r pidfile; do
		sm_as_pg "$SM_PG_BIN/pg_ctl" -D "$(dirname "$pidfile")" -m immediate \
			-w -t 30 stop >/dev/null 2>&1 || true
	done < <(find "$root" -name postmaster.pid -type f 2>/dev/null)
}

# sm_psql DIR ARGS...: psql as postgres on the cluster in DIR, without
# reading ~/.psqlrc, stopping at the first error.
sm_psql()
{
	local dir=$1

	shift
	"$SM_PG_BIN/psql" -X -v ON_ERROR_STOP=1 -h "$dir/sock" \
		-p "$(cat "$dir/port")" -U postgres "$@"
}
