#!/usr/bin/env bash
# Create the project's own virtual environment (the Makefile calls this; nothing needs activating).
#
#   tools/make-venv.sh DIR        # e.g. tools/make-venv.sh .venv
#
# * Uses $PYTHON (default python3) and its standard `venv` module. A stock Debian/Ubuntu
#   python3 lacks it (and ensurepip) until the package python3-venv is installed: as root with
#   apt-get this script installs it (`apt-get install python3-venv`, nothing else, no upgrade);
#   otherwise it stops and names the exact command to run.
# * Why a venv at all: Debian's system Python is "externally managed" (PEP 668), so
#   `pip install` outside a venv is refused.
set -euo pipefail

VENV="${1:?usage: $0 DIR}"
PYTHON="${PYTHON:-python3}"

log() { printf '[make-venv] %s\n' "$*" >&2; }

if [ -x "$VENV/bin/python" ]; then
  exit 0
fi

has_venv() { "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; }

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  log "no '$PYTHON' found: install Python 3.10 or newer (Debian: apt-get install python3 python3-venv)"
  exit 1
fi

if ! has_venv; then
  # The versioned package (python3.11-venv) matches the interpreter even when it is not the
  # distribution's default python3; python3-venv is the fallback name.
  minor="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
  pkg="python${minor}-venv"
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "$PYTHON has no venv module: installing $pkg with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends --no-upgrade "$pkg" >&2 ||
      apt-get install -y -q --no-install-recommends --no-upgrade python3-venv >&2
  else
    log "$PYTHON has no venv module. Install it, then run make again:"
    log "    sudo apt-get install $pkg     (Debian/Ubuntu; or python3-venv)"
    exit 1
  fi
  if ! has_venv; then
    log "$PYTHON still has no venv module after installing $pkg"
    exit 1
  fi
fi

log "creating $VENV with $PYTHON -m venv"
"$PYTHON" -m venv "$VENV"
