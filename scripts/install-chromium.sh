#!/usr/bin/env bash
# Installs Chromium from Debian's own packages when the machine has none, for the web console's
# browser tests (test/e2e/console: playwright-core drives it headless). A quick no-op when
# Chromium is already there.
#
#   bash scripts/install-chromium.sh     # as root, or as a user with sudo
#
# Installs chromium and a small font (fonts-dejavu-core), so that screenshots show text rather
# than empty boxes. Nothing is started.
set -euo pipefail

PROG=install-chromium
log() { printf '%s: %s\n' "$PROG" "$*"; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

case "${1:-}" in
  '') ;;
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) die "unknown argument: $1 (see --help)" ;;
esac

find_chromium() {
  local p
  for p in "${VECGATE_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [[ -n $p && -x $p ]]; then echo "$p"; return 0; fi
  done
  return 1
}

have_font() { [[ -d /usr/share/fonts/truetype/dejavu ]]; }

# ---------------------------------------------------------------- fast path
if CHROMIUM=$(find_chromium) && have_font; then
  log "$("$CHROMIUM" --version 2>/dev/null || echo chromium) already installed ($CHROMIUM); nothing to do"
  exit 0
fi

# ---------------------------------------------------------------- install
START=$SECONDS
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "Chromium is missing, and we are not root and sudo is not available; run this script as root"
  SUDO=(sudo)
fi
command -v apt-get >/dev/null || die "Chromium is missing and apt-get was not found: install Chromium by hand and set VECGATE_CHROMIUM to it (this script supports Debian only)"

apt_get() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 "$@"
}
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }'; }

# Refresh the package lists only when they do not offer chromium (a fresh image has no lists).
if [[ -z $(candidate chromium) ]]; then
  log "apt-get update"
  apt_get update || die "apt-get update failed"
fi

PACKAGES=(chromium fonts-dejavu-core)
log "installing ${PACKAGES[*]}"
if ! apt_get install -y --no-install-recommends "${PACKAGES[@]}"; then
  # Stale lists (the mirror has moved on): refresh once and try again.
  log "install failed; apt-get update and retry"
  apt_get update || die "apt-get update failed"
  apt_get install -y --no-install-recommends "${PACKAGES[@]}" || die "could not install ${PACKAGES[*]} with apt-get"
fi

CHROMIUM=$(find_chromium) || die "installed chromium, but no chromium binary was found"
log "installed $("$CHROMIUM" --version 2>/dev/null || echo chromium) ($CHROMIUM) in $((SECONDS - START)) s"
