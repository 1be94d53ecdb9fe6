#!/usr/bin/env bash
# Installs the sqlite3 shell from Debian's own packages when the machine has none, for the
# full-text benchmark (bench/workloads/text-search.ts), which runs SQLite FTS5 beside the gateway.
# A quick no-op when a sqlite3 with FTS5 is already there.
#
#   bash scripts/install-sqlite3.sh        # as root, or as a user with sudo
#
# Debian's sqlite3 is built with FTS5; the script checks that the installed shell can create an
# FTS5 table, and fails if it cannot.
set -euo pipefail

PROG=install-sqlite3
log() { printf '%s: %s\n' "$PROG" "$*"; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

case "${1:-}" in
  '') ;;
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) die "unknown argument: $1 (see --help)" ;;
esac

has_fts5() { sqlite3 :memory: 'CREATE VIRTUAL TABLE t USING fts5(a);' >/dev/null 2>&1; }

# ---------------------------------------------------------------- fast path
if command -v sqlite3 >/dev/null 2>&1; then
  has_fts5 || die "$(command -v sqlite3) ($(sqlite3 --version | cut -d' ' -f1)) has no FTS5; install Debian's sqlite3 instead"
  log "sqlite3 $(sqlite3 --version | cut -d' ' -f1) with FTS5 already installed ($(command -v sqlite3)); nothing to do"
  exit 0
fi

# ---------------------------------------------------------------- install
START=$SECONDS
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "sqlite3 is missing, and we are not root and sudo is not available; run this script as root"
  SUDO=(sudo)
fi
command -v apt-get >/dev/null || die "sqlite3 is missing and apt-get was not found: install sqlite3 by hand (this script supports Debian only)"

apt_get() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 "$@"
}
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }'; }

# Refresh the package lists only when they do not offer sqlite3 (a fresh image has no lists).
if [[ -z $(candidate sqlite3) ]]; then
  log "apt-get update"
  apt_get update || die "apt-get update failed"
fi
c=$(candidate sqlite3)
[[ -n $c ]] || die "apt offers no sqlite3 package"
log "installing sqlite3 $c"
if ! apt_get install -y --no-install-recommends sqlite3; then
  # Stale lists (the mirror has moved on): refresh once and try again.
  log "install failed; apt-get update and retry"
  apt_get update || die "apt-get update failed"
  apt_get install -y --no-install-recommends sqlite3 || die "apt-get install sqlite3 failed"
fi

command -v sqlite3 >/dev/null || die "installed sqlite3, but no sqlite3 shell was found"
has_fts5 || die "the installed sqlite3 has no FTS5"
log "installed sqlite3 $(sqlite3 --version | cut -d' ' -f1) with FTS5 ($(command -v sqlite3)) in $((SECONDS - START)) s"
