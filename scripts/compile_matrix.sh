#!/usr/bin/env bash
#
# scripts/compile_matrix.sh
#	  Compile every src/*.c of schemamig against the server headers of other
#	  PostgreSQL major versions than the installed one, with the flags PGXS
#	  would use for that version, to check that the PG_VERSION_NUM guards
#	  hold.  It only compiles (gcc -c, objects thrown away): nothing is
#	  linked, installed or run, so a version that compiles here is not known
#	  to work on that version.
#
# Usage: scripts/compile_matrix.sh [--refresh] [-v] [VERSION...]
#
#   VERSION     PostgreSQL major versions (default: 14 15 16 17 18)
#   --refresh   fetch the headers again even when an extraction is there
#   -v          print the compiler's messages of every failed file
#   -h, --help  this text
#
#   Environment:
#     PGHEADERS_ROOT  where the headers are kept, one directory per version
#                     (default /tmp/pgheaders); ROOT/NN is the extraction of
#                     postgresql-server-dev-NN and postgresql-client-NN (the
#                     latter has PGXS' Makefile.global)
#     CC              the compiler (default gcc)
#     PGHEADERS_DEBIAN_URIS  the Debian archive and security mirrors, space
#                     separated (default: the ones this machine's apt uses,
#                     the URIs ending in /debian or /debian-security)
#     PGHEADERS_SNAPSHOT  the base URL of Debian's snapshot archive (step 4
#                     is skipped without it)
#
# Where the headers of version NN come from, first found wins:
#   1. ROOT/NN when an earlier run (or you) extracted both packages there;
#      for a version that none of the sources below has, extract the two
#      .debs from wherever you can get them (the PGDG apt repository, say)
#      with dpkg-deb -x into ROOT/NN and touch ROOT/NN/.complete;
#   2. the system's own installation (/usr/include/postgresql/NN/server and
#      /usr/lib/postgresql/NN/lib/pgxs), read in place;
#   3. Debian's archive: apt-get download with a private sources list and
#      private state under ROOT/apt (bullseye to sid and experimental, on the
#      mirrors this machine's apt uses); the system's apt configuration and
#      dpkg database are not touched;
#   4. Debian's snapshot archive (its machine-readable interface), for the
#      versions no Debian suite has any more, when PGHEADERS_SNAPSHOT says
#      where it is (each file is checked against the SHA-1 that the archive
#      names it by).
# Packages are only unpacked with dpkg-deb -x, never installed.
#
# This needs the network (steps 3 and 4) and is not part of CI or of
# test/run_all.sh; README.md (Testing) says when it was last run and what
# it found.
#
# The flags: PG_CPPFLAGS from the Makefile (-Wall -Wextra -Werror ...), then
# -I. -I<server> -I<internal>, then CPPFLAGS, CFLAGS and CFLAGS_SL from that
# version's Makefile.global.  A flag that the local compiler does not know
# (newer Debian builds with a newer gcc) is left out and named in the log.
# Headers built against a newer C library than this machine's may say it
# has strlcpy/strlcat (glibc 2.38); then a header declaring them is
# included first, as the newer libc's <string.h> would.
#
# Output: one line per version, "PG NN (package version): ok", "failed ..."
# or "unavailable ..."; the compiler's messages go to ROOT/logs/NN.log.
# Exit status: 0 when every version compiled, 1 when one failed to compile,
# 2 when none failed but the headers of one could not be had, 3 on a usage
# error.
#
set -uo pipefail

SRCROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HROOT=${PGHEADERS_ROOT:-/tmp/pgheaders}
CC=${CC:-gcc}
SNAPSHOT=${PGHEADERS_SNAPSHOT:-}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

usage()
{
	sed -n '/^# Usage:/,/^# Where the headers/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

REFRESH=0
VERBOSE=0
VERSIONS=()
while [ $# -gt 0 ]; do
	case "$1" in
		--refresh) REFRESH=1 ;;
		-v) VERBOSE=1 ;;
		-h|--help) usage; exit 0 ;;
		[0-9]|[0-9][0-9]) VERSIONS+=("$1") ;;
		*) usage >&2; exit 3 ;;
	esac
	shift
done
[ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(14 15 16 17 18)

mkdir -p "$HROOT/logs" "$HROOT/debs" || exit 3
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)

# ---------------------------------------------------------------------------
# Fetching
# ---------------------------------------------------------------------------

APT_READY=0
APT_OPTS=()

# system_debian_uris: the Debian archive and security mirrors in this
# machine's apt sources (deb822 .sources files and one-line .list files)
system_debian_uris()
{
	{
		grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources |
			sed 's/^URIs:[[:space:]]*//' | tr ' ' '\n'
		grep -hs '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
			sed 's/\[[^]]*\]//' | awk '{print $2}'
	} | sed 's|/*$||' | grep -E '/debian(-security)?$' | sort -u
}

# apt_setup: a private apt configuration under ROOT/apt, updated once a run
apt_setup()
{
	local d="$HROOT/apt" s uri
	[ $APT_READY -eq 0 ] || return 0
	APT_READY=2
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts" "$d/prefs"
	: > "$d/status"
	: > "$d/sources.list"
	for uri in ${PGHEADERS_DEBIAN_URIS:-$(system_debian_uris)}; do
		case "$uri" in
			*/debian-security)
				for s in bullseye-security bookworm-security trixie-security; do
					echo "deb [signed-by=$KEYRING] $uri $s main" >> "$d/sources.list"
				done ;;
			*/debian)
				for s in bullseye bookworm bookworm-backports trixie \
					trixie-backports forky sid experimental; do
					echo "deb [signed-by=$KEYRING] $uri $s main" >> "$d/sources.list"
				done ;;
		esac
	done
	[ -s "$d/sources.list" ] || return 0
	APT_OPTS=(-o "Dir::Etc::sourcelist=$d/sources.list"
			  -o "Dir::Etc::sourceparts=$d/parts"
			  -o "Dir::Etc::preferencesparts=$d/prefs"
			  -o "Dir::State::lists=$d/lists"
			  -o "Dir::State::status=$d/status"
			  -o "Dir::Cache=$d/cache"
			  -o "APT::Sandbox::User=root"
			  -o "Acquire::Retries=2")
	# a suite that is gone (404) is not an error for what we need
	apt-get "${APT_OPTS[@]}" -q update > "$d/update.log" 2>&1
	if grep -q '^Get:\|^Hit:' "$d/update.log"; then
		APT_READY=1
	fi
}

# unpack V DEB...: extract the packages into ROOT/V, check, mark complete
unpack()
{
	local v=$1 deb
	shift
	rm -rf "${HROOT:?}/$v"
	mkdir -p "$HROOT/$v"
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$HROOT/$v" || return 1
		echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" >> "$HROOT/$v/SOURCE"
	done
	[ -f "$HROOT/$v/usr/include/postgresql/$v/server/pg_config.h" ] || return 1
	[ -f "$HROOT/$v/usr/lib/postgresql/$v/lib/pgxs/src/Makefile.global" ] || return 1
	touch "$HROOT/$v/.complete"
}

# fetch_debian V: from the Debian suites that still have the version; the
# newest upload whose files the mirror serves (a security update's pool can
# be out of reach while the suite's own upload is not)
fetch_debian()
{
	local v=$1 dir="$HROOT/debs/$v" ver
	apt_setup
	[ $APT_READY -eq 1 ] || return 1
	for ver in $(apt-cache "${APT_OPTS[@]}" madison "postgresql-server-dev-$v" 2>/dev/null |
		awk -F'|' '{gsub(/ /, "", $2); if (!seen[$2]++) print $2}'); do
		rm -rf "$dir"
		mkdir -p "$dir"
		if (cd "$dir" && apt-get "${APT_OPTS[@]}" -q download \
			"postgresql-server-dev-$v=$ver" "postgresql-client-$v=$ver") >> "$HROOT/logs/$v.fetch" 2>&1; then
			unpack "$v" "$dir"/postgresql-server-dev-"$v"_*.deb "$dir"/postgresql-client-"$v"_*.deb
			return
		fi
	done
	return 1
}

# snapshot_get PACKAGE VERSION FILE: one binary package from snapshot
snapshot_get()
{
	local pkg=$1 ver=$2 out=$3 hash json
	json=$(curl -fsS --max-time 60 "$SNAPSHOT/mr/binary/$pkg/$ver/binfiles") || return 1
	hash=$(echo "$json" | python3 -c 'import json, sys
for f in json.load(sys.stdin)["result"]:
    if f["architecture"] == sys.argv[1]:
        print(f["hash"])
        break' "$ARCH") || return 1
	[ -n "$hash" ] || return 1
	curl -fsS --max-time 300 -o "$out" "$SNAPSHOT/file/$hash" || return 1
	[ "$(sha1sum < "$out" | cut -d' ' -f1)" = "$hash" ]
}

# fetch_snapshot V: the newest Debian upload of the version, from snapshot
fetch_snapshot()
{
	local v=$1 dir="$HROOT/debs/$v" best="" ver json
	[ -n "$SNAPSHOT" ] || return 1
	json=$(curl -fsS --max-time 60 "$SNAPSHOT/mr/binary/postgresql-server-dev-$v/") || return 1
	for ver in $(echo "$json" | python3 -c 'import json, sys
for r in json.load(sys.stdin)["result"]:
    print(r["version"])'); do
		if [ -z "$best" ] || dpkg --compare-versions "$ver" gt "$best"; then
			best=$ver
		fi
	done
	[ -n "$best" ] || return 1
	rm -rf "$dir"
	mkdir -p "$dir"
	snapshot_get "postgresql-server-dev-$v" "$best" "$dir/server.deb" || return 1
	snapshot_get "postgresql-client-$v" "$best" "$dir/client.deb" || return 1
	unpack "$v" "$dir/server.deb" "$dir/client.deb"
}

# headers V: set SERVER, PGXSMK, WHAT for version V, fetching if needed
headers()
{
	local v=$1 f
	SERVER=""
	PGXSMK=""
	WHAT=""
	if [ $REFRESH -eq 0 ] && [ -f "$HROOT/$v/.complete" ]; then
		:
	elif [ -f "/usr/include/postgresql/$v/server/pg_config.h" ] &&
		[ -f "/usr/lib/postgresql/$v/lib/pgxs/src/Makefile.global" ]; then
		SERVER=/usr/include/postgresql/$v/server
		PGXSMK=/usr/lib/postgresql/$v/lib/pgxs/src/Makefile.global
		WHAT="installed $(dpkg-query -W -f '${Version}' "postgresql-server-dev-$v" 2>/dev/null)"
		return 0
	elif fetch_debian "$v"; then
		:
	elif fetch_snapshot "$v" >> "$HROOT/logs/$v.fetch" 2>&1; then
		:
	else
		return 1
	fi
	SERVER=$HROOT/$v/usr/include/postgresql/$v/server
	PGXSMK=$HROOT/$v/usr/lib/postgresql/$v/lib/pgxs/src/Makefile.global
	WHAT=$(grep '^postgresql-server-dev' "$HROOT/$v/SOURCE" 2>/dev/null | cut -d' ' -f2)
	[ -n "$WHAT" ] || WHAT="from $HROOT/$v"
	for f in "$SERVER/pg_config.h" "$PGXSMK"; do
		[ -f "$f" ] || return 1
	done
}

# ---------------------------------------------------------------------------
# Compiling
# ---------------------------------------------------------------------------

# mkvar FILE NAME: the value of "NAME = value" in a makefile (with the
# continuation lines joined)
mkvar()
{
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1" |
		sed -n "s/^$2[[:space:]]*[:+]\{0,1\}=[[:space:]]*//p" | head -n 1
}

declare -A FLAG_OK
# usable FLAG: does the local compiler take it?
usable()
{
	local flag=$1
	case "$flag" in
		-W*|-f*|-m*) ;;
		*) return 0 ;;
	esac
	if [ -z "${FLAG_OK[$flag]:-}" ]; then
		if echo 'int schemamig_probe;' | $CC -Werror -Wformat "$flag" -x c -c - -o /dev/null 2>/dev/null; then
			FLAG_OK[$flag]=1
		else
			FLAG_OK[$flag]=0
		fi
	fi
	[ "${FLAG_OK[$flag]}" = 1 ]
}

# compile V LOG: every src/*.c against SERVER with V's flags; prints the
# number of files that failed
compile()
{
	local v=$1 log=$2 obj flags=() f shim="" nfail=0 internal
	obj=$(mktemp -d)
	internal=$(dirname "$SERVER")/internal
	# shellcheck disable=SC2046
	for f in $(mkvar "$SRCROOT/Makefile" PG_CPPFLAGS) -I. -I./ "-I$SERVER" "-I$internal" \
		$(mkvar "$PGXSMK" CPPFLAGS) $(mkvar "$PGXSMK" CFLAGS) $(mkvar "$PGXSMK" CFLAGS_SL); do
		if usable "$f"; then
			flags+=("$f")
		else
			echo "left out (unknown to $CC): $f" >> "$log"
		fi
	done
	if grep -q '^#define HAVE_DECL_STRLCPY 1' "$SERVER/pg_config.h" &&
		! printf '#include <string.h>\nsize_t schemamig_probe(char *d) { return strlcpy(d, "", 1); }\n' |
		$CC -D_GNU_SOURCE -Werror -x c -c - -o /dev/null 2>/dev/null; then
		shim=$obj/libc_strlcpy.h
		printf '#include <stddef.h>\nextern size_t strlcpy(char *dst, const char *src, size_t siz);\nextern size_t strlcat(char *dst, const char *src, size_t siz);\n' > "$shim"
		flags+=(-include "$shim")
		echo "the headers expect strlcpy/strlcat in <string.h>: declared by $shim" >> "$log"
	fi
	echo "$CC ${flags[*]} -c src/FILE.c" >> "$log"
	for f in "$SRCROOT"/src/*.c; do
		if ! (cd "$SRCROOT" && $CC "${flags[@]}" -c "src/${f##*/}" -o "$obj/out.o") >> "$log" 2>&1; then
			echo "FAILED: src/${f##*/}" >> "$log"
			nfail=$((nfail + 1))
		fi
	done
	rm -rf "$obj"
	echo "$nfail"
}

# ---------------------------------------------------------------------------

status=0
missing=0
nfiles=$(ls "$SRCROOT"/src/*.c | wc -l)
for v in "${VERSIONS[@]}"; do
	log=$HROOT/logs/$v.log
	: > "$log"
	: > "$HROOT/logs/$v.fetch"
	if ! headers "$v"; then
		echo "PG $v: unavailable (no postgresql-server-dev-$v in Debian's suites${SNAPSHOT:+ or snapshot archive}; see $HROOT/logs/$v.fetch)"
		missing=1
		continue
	fi
	echo "headers: $SERVER ($WHAT)" >> "$log"
	nfail=$(compile "$v" "$log")
	if [ "$nfail" -eq 0 ]; then
		echo "PG $v ($WHAT): ok ($nfiles files)"
	else
		echo "PG $v ($WHAT): failed ($nfail of $nfiles files; $log)"
		status=1
		if [ $VERBOSE -eq 1 ]; then
			sed 's/^/    /' "$log"
		fi
	fi
done
if [ $status -eq 0 ] && [ $missing -eq 1 ]; then
	status=2
fi
exit $status
