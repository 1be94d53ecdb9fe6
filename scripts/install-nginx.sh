#!/usr/bin/env bash
# Installs nginx from Debian's own packages when the machine has none, for the cluster test
# (test/e2e/cluster: two gateways behind nginx). A quick no-op when nginx is already there.
#
#   bash scripts/install-nginx.sh        # as root, or as a user with sudo
#
# Installs nginx-light (the smallest build; upstream/proxy is all the test needs), falling back to
# nginx. The package's own service is never started: the test runs its own nginx with its own
# configuration on a loopback port, so while apt runs, a policy-rc.d that refuses service starts
# is put in place (only when the machine has none; removed again afterwards).
set -euo pipefail

PROG=install-nginx
log() { printf '%s: %s\n' "$PROG" "$*"; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

case "${1:-}" in
  '') ;;
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) die "unknown argument: $1 (see --help)" ;;
esac

find_nginx() {
  command -v nginx 2>/dev/null && return 0
  local p
  for p in /usr/sbin/nginx /usr/local/sbin/nginx /usr/local/nginx/sbin/nginx; do
    if [[ -x $p ]]; then echo "$p"; return 0; fi
  done
  return 1
}

# ---------------------------------------------------------------- fast path
if NGINX=$(find_nginx); then
  log "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //') already installed ($NGINX); nothing to do"
  exit 0
fi

# ---------------------------------------------------------------- install
START=$SECONDS
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "nginx is missing, and we are not root and sudo is not available; run this script as root"
  SUDO=(sudo)
fi
command -v apt-get >/dev/null || die "nginx is missing and apt-get was not found: install nginx by hand (this script supports Debian only)"

POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=0
cleanup() {
  if [[ $OWN_POLICY -eq 1 ]]; then "${SUDO[@]}" rm -f "$POLICY" || log "warning: could not remove $POLICY"; fi
}
trap cleanup EXIT
if [[ ! -e $POLICY ]]; then
  # exit 101: "action forbidden by policy": invoke-rc.d then does not start the nginx service.
  printf '#!/bin/sh\n# temporary, from vecgate scripts/install-nginx.sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  OWN_POLICY=1
fi

apt_get() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 "$@"
}
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }'; }

# Refresh the package lists only when they do not offer nginx (a fresh image has no lists).
if [[ -z $(candidate nginx-light) && -z $(candidate nginx) ]]; then
  log "apt-get update"
  apt_get update || die "apt-get update failed"
fi

install_one() { apt_get install -y --no-install-recommends "$1"; }
PKG=
for p in nginx-light nginx; do
  c=$(candidate "$p")
  [[ -n $c ]] || continue
  log "installing $p $c"
  if install_one "$p"; then PKG=$p; break; fi
  # Stale lists (the mirror has moved on): refresh once and try again.
  log "install of $p failed; apt-get update and retry"
  apt_get update || die "apt-get update failed"
  if install_one "$p"; then PKG=$p; break; fi
done
[[ -n $PKG ]] || die "could not install nginx-light or nginx with apt-get"

NGINX=$(find_nginx) || die "installed $PKG, but no nginx binary was found"
log "installed $PKG: $("$NGINX" -v 2>&1 | sed 's/^nginx version: //') ($NGINX) in $((SECONDS - START)) s"
