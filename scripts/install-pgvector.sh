#!/usr/bin/env bash
# Make the pgvector extension available to the local PostgreSQL 15 server
# (Debian 12 "bookworm"). Does nothing, quickly, when it is already installed.
#
# Debian bookworm ships no pgvector for PostgreSQL 15, so this script:
#   1. looks for a binary postgresql-15-pgvector in the machine's configured
#      Debian sources plus <codename>-backports on the same mirror, and installs
#      it if it is at least as new as the source below;
#   2. otherwise builds the Debian trixie *source* package of pgvector against
#      postgresql-server-dev-15 and runs `make install`.
#
# The extra suites (backports, trixie deb-src) are never written to /etc/apt:
# they live in a private apt view (own sources dir and lists dir in a temp
# dir), which is deleted on exit, so the system's apt never sees trixie.
# The mirror is taken from the machine's own apt sources (.list or deb822).
#
# Usage: scripts/install-pgvector.sh [--force] [--verify]
#   --force   rebuild/reinstall even if vector.control already exists
#   --verify  on the fast path too, check CREATE EXTENSION in a throwaway db
# Environment (optional):
#   PGVECTOR_PG_MAJOR      PostgreSQL major version (default 15)
#   PGVECTOR_SOURCE_SUITE  Debian suite to take the source from (default trixie)
#   PGVECTOR_OPTFLAGS      compiler flags of a source build (default -march=native: the
#                          build is for this machine; set it empty for a portable build)
#   PGVECTOR_CHECK_HOST / _PORT / _USER  server used for the check
#                          (default 127.0.0.1 / 5432 / postgres)
set -euo pipefail
set -o errtrace

PROG=install-pgvector
PG_MAJOR=${PGVECTOR_PG_MAJOR:-15}
SOURCE_SUITE=${PGVECTOR_SOURCE_SUITE:-trixie}
OPTFLAGS=${PGVECTOR_OPTFLAGS--march=native}
CHECK_HOST=${PGVECTOR_CHECK_HOST:-127.0.0.1}
CHECK_PORT=${PGVECTOR_CHECK_PORT:-5432}
CHECK_USER=${PGVECTOR_CHECK_USER:-postgres}
CHECK_DB=pgvector_check
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config

log() { printf '%s: %s\n' "$PROG" "$*"; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }
trap 'rc=$?; printf "%s: ERROR: command failed (exit %s) at line %s: %s\n" "$PROG" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

FORCE=0
VERIFY=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --verify) VERIFY=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

sharedir() {
  if [[ -x $PG_CONFIG ]]; then "$PG_CONFIG" --sharedir; else echo "/usr/share/postgresql/$PG_MAJOR"; fi
}
control_file() { echo "$(sharedir)/extension/vector.control"; }
control_version() { sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\{0,1\}\([^']*\)'\{0,1\}.*/\1/p" "$1" | head -n1; }

# psql against the check server; -X ignores ~/.psqlrc.
psql_check() {
  PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -h "$CHECK_HOST" -p "$CHECK_PORT" -U "$CHECK_USER" "$@"
}

verify() {
  command -v psql >/dev/null || die "psql not found; cannot verify the extension"
  if command -v pg_isready >/dev/null &&
     ! pg_isready -q -h "$CHECK_HOST" -p "$CHECK_PORT" -U "$CHECK_USER" -d postgres; then
    die "PostgreSQL is not accepting connections on $CHECK_HOST:$CHECK_PORT (start it, e.g. pg_ctlcluster --skip-systemctl-redirect $PG_MAJOR main start)"
  fi
  local server_num
  server_num=$(psql_check -d postgres -c 'show server_version_num') ||
    die "cannot connect to PostgreSQL at $CHECK_HOST:$CHECK_PORT as $CHECK_USER"
  [[ ${server_num:0:${#PG_MAJOR}} == "$PG_MAJOR" ]] ||
    die "server at $CHECK_HOST:$CHECK_PORT is version $server_num, not PostgreSQL $PG_MAJOR; pgvector was installed for $PG_MAJOR"

  psql_check -d postgres -c "drop database if exists $CHECK_DB" >/dev/null ||
    die "cannot drop stale database $CHECK_DB"
  psql_check -d postgres -c "create database $CHECK_DB" >/dev/null ||
    die "cannot create database $CHECK_DB (is $CHECK_USER a superuser?)"
  local out rc=0
  out=$(psql_check -d "$CHECK_DB" \
          -c "create extension if not exists vector" \
          -c "select extversion from pg_extension where extname='vector'" \
          -c "select '[1,2,3]'::vector <-> '[1,2,4]'::vector" 2>&1) || rc=$?
  psql_check -d postgres -c "drop database if exists $CHECK_DB" >/dev/null ||
    log "warning: could not drop database $CHECK_DB"
  [[ $rc -eq 0 ]] || die "CREATE EXTENSION vector failed: $out"
  local ver dist
  ver=$(sed -n 1p <<<"$out")
  dist=$(sed -n 2p <<<"$out")
  [[ -n $ver && $dist == 1 ]] || die "unexpected result from the pgvector check: $out"
  log "verified: CREATE EXTENSION vector works on $CHECK_HOST:$CHECK_PORT (extversion $ver)"
}

# ---------------------------------------------------------------- fast path
CONTROL=$(control_file)
if [[ -f $CONTROL && $FORCE -eq 0 ]]; then
  log "pgvector $(control_version "$CONTROL") already installed for PostgreSQL $PG_MAJOR ($CONTROL); nothing to do"
  if [[ $VERIFY -eq 1 ]]; then verify; fi
  exit 0
fi

# ---------------------------------------------------------------- preflight
START=$SECONDS
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "not root and sudo is not available; run this script as root"
  SUDO=(sudo)
fi
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian only"
[[ -r /etc/os-release ]] || die "/etc/os-release missing"
# shellcheck source=/dev/null
CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[[ -n $CODENAME ]] || die "cannot tell the Debian codename from /etc/os-release"
[[ -d /usr/lib/postgresql/$PG_MAJOR ]] || die "PostgreSQL $PG_MAJOR is not installed (/usr/lib/postgresql/$PG_MAJOR missing)"

apt_get() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 "$@"
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/install-pgvector.XXXXXX")
cleanup() {
  rm -rf "$TMP" 2>/dev/null || "${SUDO[@]}" rm -rf "$TMP" || true
}
trap cleanup EXIT
chmod 755 "$TMP"   # apt's _apt sandbox user must reach the lists dir

# Print every configured apt source entry as "type<TAB>uri<TAB>suite<TAB>signed-by"
# from one-line (.list) and deb822 (.sources) files. A multi-line Signed-By
# (embedded key) is reported as empty: apt's trusted keyrings are used then.
list_apt_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    awk '
      { sub(/#.*/, ""); if (NF < 3) next }
      $1 != "deb" && $1 != "deb-src" { next }
      {
        type = $1; i = 2; signed = ""
        if ($2 ~ /^\[/) {
          opts = ""
          for (; i <= NF; i++) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } }
          gsub(/[\[\]]/, " ", opts)
          n = split(opts, o, /[ \t]+/)
          for (k = 1; k <= n; k++) if (tolower(o[k]) ~ /^signed-by=/) { signed = o[k]; sub(/^[^=]*=/, "", signed) }
        }
        if (i + 1 <= NF) printf "%s\t%s\t%s\t%s\n", type, $i, $(i + 1), signed
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk '
      function flush(   t, u, s, nt, nu, ns, a, b, c, x, y) {
        if (tolower(enabled) != "no" && types != "" && uris != "" && suites != "") {
          nt = split(types, a, /[ \t]+/); nu = split(uris, b, /[ \t]+/); ns = split(suites, c, /[ \t]+/)
          for (x = 1; x <= nt; x++) for (y = 1; y <= ns; y++) for (z = 1; z <= nu; z++)
            if (a[x] != "" && b[z] != "" && c[y] != "") printf "%s\t%s\t%s\t%s\n", a[x], b[z], c[y], (multisig ? "" : signed)
        }
        types = uris = suites = signed = enabled = key = ""; multisig = 0
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { if (key == "signed-by") multisig = 1; else if (key == "types") types = types " " $0; else if (key == "uris") uris = uris " " $0; else if (key == "suites") suites = suites " " $0; next }
      {
        key = tolower($0); sub(/:.*/, "", key)
        val = $0; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "signed-by") { signed = val; if (val == "") multisig = 1 }
        else if (key == "enabled") enabled = val
      }
      END { flush() }' "$f"
  done
}

SOURCES=$(list_apt_sources)
# The Debian mirror: the first "deb" entry for the release itself (not -updates/-security).
MIRROR_LINE=$(awk -F'\t' -v s="$CODENAME" '$1 == "deb" && $3 == s { print; exit }' <<<"$SOURCES")
[[ -n $MIRROR_LINE ]] || die "no 'deb ... $CODENAME' entry found in /etc/apt/sources.list{,.d/*.list,.d/*.sources}; cannot tell the Debian mirror"
MIRROR_URI=$(cut -f2 <<<"$MIRROR_LINE")
MIRROR_SIGNED=$(cut -f4 <<<"$MIRROR_LINE")
log "Debian $CODENAME, mirror from apt sources: $MIRROR_URI"

# ------------------------------------------------------------ private apt view
# System sources + <codename>-backports (deb) + $SOURCE_SUITE (deb-src only),
# with its own lists dir; nothing under /etc/apt or /var/lib/apt is changed.
APTDIR=$TMP/apt
mkdir -p "$APTDIR/sources.list.d" "$APTDIR/lists/partial"
if [[ -r /etc/apt/sources.list ]]; then cp /etc/apt/sources.list "$APTDIR/sources.list"; fi
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [[ -r $f ]] && cp "$f" "$APTDIR/sources.list.d/"
done
has_entry() { awk -F'\t' -v t="$1" -v s="$2" '$1 == t && $3 == s { f = 1 } END { exit !f }' <<<"$SOURCES"; }
stanza() {
  printf 'Types: %s\nURIs: %s\nSuites: %s\nComponents: main\n' "$1" "$MIRROR_URI" "$2"
  if [[ -n $MIRROR_SIGNED ]]; then printf 'Signed-By: %s\n' "$MIRROR_SIGNED"; fi
  printf '\n'
}
{
  has_entry deb "$CODENAME-backports" || stanza deb "$CODENAME-backports"
  has_entry deb-src "$SOURCE_SUITE" || stanza deb-src "$SOURCE_SUITE"
} >"$APTDIR/sources.list.d/zz-vecgate-pgvector.sources"
# Seed with the system's lists so unchanged indexes are not downloaded again.
cp -p /var/lib/apt/lists/*_InRelease /var/lib/apt/lists/*_Release* /var/lib/apt/lists/*_Packages* \
  /var/lib/apt/lists/*_Sources* "$APTDIR/lists/" 2>/dev/null || true
if id _apt >/dev/null 2>&1; then "${SUDO[@]}" chown -R _apt:root "$APTDIR/lists"; fi
PRIV=(-o "Dir::Etc::SourceList=$APTDIR/sources.list"
      -o "Dir::Etc::SourceParts=$APTDIR/sources.list.d"
      -o "Dir::State::Lists=$APTDIR/lists"
      -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")

log "apt-get update (system sources)"
apt_get update || die "apt-get update failed"
log "apt-get update (private view: + $CODENAME-backports, deb-src $SOURCE_SUITE)"
apt_get "${PRIV[@]}" update || die "apt-get update of the private view ($CODENAME-backports, deb-src $SOURCE_SUITE from $MIRROR_URI) failed"

upstream() { local v=${1#*:}; v=${v%-*}; echo "${v%%[~+]*}"; }
SRC_VERSION=$(apt-cache "${PRIV[@]}" showsrc --only-source pgvector 2>/dev/null |
  awk '/^Version:/ { print $2 }' | sort -V | tail -n1)
BIN_PKG=postgresql-$PG_MAJOR-pgvector
BIN_CANDIDATE=$(apt-cache "${PRIV[@]}" policy "$BIN_PKG" 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [[ $BIN_CANDIDATE == "(none)" ]]; then BIN_CANDIDATE=; fi
log "binary $BIN_PKG candidate: ${BIN_CANDIDATE:-none}; source pgvector in $SOURCE_SUITE: ${SRC_VERSION:-none}"

if [[ -n $BIN_CANDIDATE ]] &&
   { [[ -z $SRC_VERSION ]] || dpkg --compare-versions "$(upstream "$BIN_CANDIDATE")" ge "$(upstream "$SRC_VERSION")"; }; then
  # ---------------------------------------------------------- binary package
  log "installing binary package $BIN_PKG $BIN_CANDIDATE"
  apt_get "${PRIV[@]}" install -y --no-install-recommends "$BIN_PKG=$BIN_CANDIDATE" ||
    die "apt-get install $BIN_PKG failed"
  HOW="Debian package $BIN_PKG $BIN_CANDIDATE"
else
  # ---------------------------------------------------------- build from source
  [[ -n $SRC_VERSION ]] || die "no pgvector source package found in $SOURCE_SUITE on $MIRROR_URI, and no $BIN_PKG binary package"
  NEED=()
  for p in "postgresql-server-dev-$PG_MAJOR" build-essential dpkg-dev; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || NEED+=("$p")
  done
  if ((${#NEED[@]})); then
    log "installing build dependencies: ${NEED[*]}"
    apt_get install -y --no-install-recommends "${NEED[@]}" || die "apt-get install ${NEED[*]} failed"
  fi
  [[ -x $PG_CONFIG ]] || die "$PG_CONFIG not found after installing postgresql-server-dev-$PG_MAJOR"

  log "downloading pgvector $SRC_VERSION source from $SOURCE_SUITE"
  mkdir -p "$TMP/src"
  # As root, let apt's _apt sandbox user write the download dir.
  if [[ $(id -u) -eq 0 ]] && id _apt >/dev/null 2>&1; then chown _apt:root "$TMP/src"; fi
  # apt checks the files against the signed Sources index; dpkg-source then
  # only warns that it has no key for the uploader's .dsc signature (harmless).
  (cd "$TMP/src" && apt-get -q "${PRIV[@]}" source --download-only "pgvector=$SRC_VERSION") >"$TMP/source.log" 2>&1 ||
    { cat "$TMP/source.log" >&2; die "apt-get source pgvector=$SRC_VERSION failed"; }
  DSC=$(ls "$TMP/src"/pgvector_*.dsc)
  dpkg-source --no-copy -x "$DSC" "$TMP/build" >"$TMP/unpack.log" 2>&1 ||
    { cat "$TMP/unpack.log" >&2; die "dpkg-source -x $DSC failed"; }

  # Built here for this machine (-march=native by default): the distance functions then use the
  # CPU's vector instructions, which a portable build leaves out (docs/benchmarks.md, issue 21).
  log "building pgvector $SRC_VERSION against $("$PG_CONFIG" --version) with OPTFLAGS=\"$OPTFLAGS\""
  make -C "$TMP/build" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS="$OPTFLAGS" >"$TMP/build.log" 2>&1 ||
    { tail -n 40 "$TMP/build.log" >&2; die "make failed (see output above)"; }
  "${SUDO[@]}" make -C "$TMP/build" install PG_CONFIG="$PG_CONFIG" OPTFLAGS="$OPTFLAGS" >"$TMP/install.log" 2>&1 ||
    { tail -n 40 "$TMP/install.log" >&2; die "make install failed (see output above)"; }
  HOW="built from Debian $SOURCE_SUITE source pgvector $SRC_VERSION"
fi

CONTROL=$(control_file)
[[ -f $CONTROL ]] || die "install finished but $CONTROL does not exist"
log "installed pgvector $(control_version "$CONTROL") for PostgreSQL $PG_MAJOR ($HOW) in $((SECONDS - START)) s"
verify
log "done in $((SECONDS - START)) s"
