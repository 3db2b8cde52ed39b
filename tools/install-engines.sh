#!/usr/bin/env bash
# Install the database servers that the engine tests (tests/engines.py) need.
#
#   tools/install-engines.sh            # install only what is missing
#   tools/install-engines.sh --check    # report what is missing, install nothing (exit 1 if any)
#   tools/install-engines.sh --dry-run  # print the commands an install would run, run none
#
# * Debian/Ubuntu only (apt-get). Idempotent: when everything is present it
#   does nothing at all (no `apt-get update`).
# * Non-interactive (DEBIAN_FRONTEND=noninteractive, keeps existing config files).
# * Never starts a system service: while apt runs, a policy-rc.d that denies
#   every service start is put in place unless one already exists; the tests
#   start their own throwaway servers on random 127.0.0.1 ports.
# * Leaves no server enabled at boot: the packages' maintainer scripts enable
#   mariadb.service / postgresql.service (a multi-user.target.wants symlink);
#   each unit this run installed is disabled again afterwards (a unit that was
#   already installed before is left as the machine's owner set it).
# * Upgrades nothing on purpose: no `apt-get upgrade`, `--no-upgrade` for the
#   named packages; apt may still have to upgrade a library the new packages
#   need, and those are listed before installing.
# * Installs: mariadb-server (mariadbd + mariadb-install-db), and PostgreSQL
#   server binaries (postgresql-15, or the distribution's `postgresql` if 15 is
#   not packaged) when no `initdb` can be found, and Debian's `chromium` (the
#   browser test of the generated client drives it through playwright-core)
#   when no `chromium` is on PATH.
# * SQLite and DuckDB need nothing here: they come from Python (`sqlite3`, the
#   `duckdb` wheel in the [test] extra of pyproject.toml).
set -euo pipefail

CHECK_ONLY=0
DRY_RUN=0
case "${1:-}" in
  --check) CHECK_ONLY=1 ;;
  --dry-run) DRY_RUN=1 ;;
  "") ;;
  -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

log() { printf '[install-engines] %s\n' "$*"; }

# root's PATH usually has sbin, an ordinary user's may not.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

have_postgres() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && return 0
  fi
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && return 0
  done
  command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1
}

have_mariadb() {
  { command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1; } &&
    { command -v mariadb-install-db >/dev/null 2>&1 || command -v mysql_install_db >/dev/null 2>&1; }
}

have_chromium() {
  command -v chromium >/dev/null 2>&1
}

missing=()
if [ -n "${INSTALL_ENGINES_ASSUME_MISSING:-}" ]; then
  # For --dry-run (and its test): plan as if these were missing.
  read -r -a missing <<<"$INSTALL_ENGINES_ASSUME_MISSING"
else
  have_postgres || missing+=(postgres)
  have_mariadb || missing+=(mariadb)
  have_chromium || missing+=(chromium)
fi

if [ "${#missing[@]}" -eq 0 ]; then
  log "PostgreSQL and MariaDB server binaries and chromium already present; nothing to do."
  exit 0
fi
log "missing: ${missing[*]}"
if [ "$CHECK_ONLY" -eq 1 ]; then
  exit 1
fi

# Every command that changes the machine goes through run (printed only, with --dry-run).
run() {
  if [ "$DRY_RUN" -eq 1 ]; then
    printf '+ %s\n' "$*"
  else
    "$@"
  fi
}
run_quiet() {
  if [ "$DRY_RUN" -eq 1 ]; then
    printf '+ %s\n' "$*"
  else
    "$@" >/dev/null 2>&1
  fi
}

if [ "$DRY_RUN" -eq 0 ] && ! command -v apt-get >/dev/null 2>&1; then
  log "apt-get not found: install PostgreSQL (initdb/postgres) and MariaDB (mariadbd/mariadb-install-db) by hand." >&2
  exit 1
fi

SUDO=()
if [ "$DRY_RUN" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    log "not root and no sudo: cannot install packages." >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q --no-install-recommends --no-upgrade -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# Deny service starts for the duration of the install (invoke-rc.d and
# deb-systemd-invoke both honour policy-rc.d). Only our own file is removed.
POLICY=/usr/sbin/policy-rc.d
OUR_POLICY=0
cleanup() {
  if [ "$OUR_POLICY" -eq 1 ]; then
    run "${SUDO[@]}" rm -f "$POLICY" || true
  fi
}
trap cleanup EXIT
if [ "$DRY_RUN" -eq 1 ]; then
  printf '+ write %s (exit 101: deny service starts while apt runs)\n' "$POLICY"
  OUR_POLICY=1
elif [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# temporary, from tools/install-engines.sh: never start services\nexit 101\n' |
    "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 0755 "$POLICY"
  OUR_POLICY=1
fi

log "apt-get update"
run "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q

pkgs=()
for m in "${missing[@]}"; do
  case "$m" in
    mariadb) pkgs+=(mariadb-server) ;;
    chromium) pkgs+=(chromium) ;;
    postgres)
      # Do not let postgresql-common create (and try to run) a "main" cluster.
      if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
        if [ "$DRY_RUN" -eq 1 ]; then
          printf '+ write /etc/postgresql-common/createcluster.conf (create_main_cluster = false)\n'
        else
          "${SUDO[@]}" mkdir -p /etc/postgresql-common
          echo "create_main_cluster = false" | "${SUDO[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
        fi
      fi
      if [ "$DRY_RUN" -eq 1 ] || apt-cache show postgresql-15 >/dev/null 2>&1; then
        pkgs+=(postgresql-15)
      else
        log "postgresql-15 not packaged here; installing the distribution default 'postgresql'"
        pkgs+=(postgresql)
      fi
      ;;
  esac
done

# Which units (and init scripts) a package's maintainer scripts may enable at boot.
units_of() {
  case "$1" in
    mariadb) echo mariadb ;;
    postgres) echo postgresql ;;
  esac
}
# A unit counts as already installed when its unit file exists: then the machine's owner
# decided about it, and this script leaves it alone.
unit_installed() {
  local u="$1" d
  for d in /lib/systemd/system /usr/lib/systemd/system /etc/systemd/system; do
    [ -e "$d/$u.service" ] && return 0
  done
  [ -e "/etc/init.d/$u" ]
}
new_units=()
for m in "${missing[@]}"; do
  for u in $(units_of "$m"); do
    if [ "$DRY_RUN" -eq 1 ] || ! unit_installed "$u"; then
      new_units+=("$u")
    fi
  done
done

# Say which installed packages apt would have to upgrade to satisfy the new ones.
if [ "$DRY_RUN" -eq 0 ]; then
  upgrades="$(apt-get -s install "${APT_OPTS[@]}" "${pkgs[@]}" 2>/dev/null |
    sed -n 's/^Inst \([^ ]*\) \[.*/\1/p' | tr '\n' ' ')"
  if [ -n "$upgrades" ]; then
    log "apt needs newer versions of these installed packages (dependencies): $upgrades"
  fi
fi

log "apt-get install ${pkgs[*]}"
run "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${APT_OPTS[@]}" "${pkgs[@]}"

# Keep the servers test-only: undo the boot-time enabling the packages just did.
for u in "${new_units[@]}"; do
  log "disabling $u at boot (the tests start their own servers)"
  if [ "$DRY_RUN" -eq 1 ] || command -v deb-systemd-helper >/dev/null 2>&1; then
    run "${SUDO[@]}" deb-systemd-helper disable "$u.service" || true
  fi
  if [ "$DRY_RUN" -eq 1 ] || command -v systemctl >/dev/null 2>&1; then
    run_quiet "${SUDO[@]}" systemctl disable --no-reload "$u.service" || true
  fi
  if [ "$DRY_RUN" -eq 1 ] || command -v update-rc.d >/dev/null 2>&1; then
    run_quiet "${SUDO[@]}" update-rc.d "$u" disable || true
  fi
  # Whatever the tools above did, no wants-symlink may stay behind.
  run "${SUDO[@]}" rm -f "/etc/systemd/system/multi-user.target.wants/$u.service"
done

if [ "$DRY_RUN" -eq 1 ]; then
  exit 0
fi

fail=0
have_postgres || { log "PostgreSQL still not found after install" >&2; fail=1; }
have_mariadb || { log "MariaDB still not found after install" >&2; fail=1; }
have_chromium || { log "chromium still not found after install" >&2; fail=1; }
[ "$fail" -eq 0 ] && log "done."
exit "$fail"
