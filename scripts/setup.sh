#!/usr/bin/env bash
# Sets up Retro ML Trainer in ./.venv, idempotently (a re-run with nothing changed takes seconds).
#   bash scripts/setup.sh app   # the app: Python deps (+ the desktop window when there is a display), UI deps
#   bash scripts/setup.sh dev   # the above plus test deps and Debian's Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-app}
PYTHON=${PYTHON:-python3}
VENV=${RETRO_ML_VENV:-.venv}
# torch first and pinned: an unpinned torch pulled in by stable-baselines3 would be a multi-GB CUDA build.
TORCH_SPEC=${RETRO_ML_TORCH:-torch==2.13.0}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "Need root to install: $* (install it yourself, then re-run)" >&2; return 1; fi; }
apt_install() {
  command -v apt-get >/dev/null || { echo "Please install: $* (no apt-get here)" >&2; return 1; }
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v "$PYTHON" >/dev/null || apt_install python3 python3-venv
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" || { apt_install python3-venv && "$PYTHON" -m venv "$VENV"; }
PY="$VENV/bin/python"

extras=""
# dev: the test deps, the desktop window (its tests run under Xvfb) and PyInstaller (build.spec's test)
[ "$MODE" = dev ] && extras="dev,desktop-qt,packaging"
if [ "$MODE" = app ]; then
  extras="desktop"
  if [ "$(uname -s)" = Linux ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then extras="desktop-qt"; fi
fi

deb_missing() { for p in "$@"; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q " installed$" || echo "$p"; done; }
if [ "$(uname -s)" = Linux ] && command -v dpkg-query >/dev/null; then
  if [ "$MODE" = dev ]; then
    # OS-integration tests: a virtual display + clipboard tool, a private D-Bus with fake services
    # (python-dbusmock, whose dbus-python builds with the -dev packages), notify-send, gdbus, xdg-open.
    missing=$(deb_missing xvfb xclip dbus libnotify-bin libglib2.0-bin xdg-utils libdbus-1-dev libglib2.0-dev pkg-config gcc)
    # the desktop window's Qt WebEngine (pywebview[qt]) on Xvfb
    missing="$missing $(deb_missing libxcb-icccm4 libxcb-keysyms1 libxcb-xinerama0 libxcb-cursor0 libxkbcommon-x11-0 \
      libxcb-render-util0 libxcb-image0 libxcb-shape0 libegl1 libnss3)"
    # the studies tests' real PostgreSQL server (tests/helpers/postgres.py starts its own cluster)
    missing="$missing $(deb_missing postgresql)"
    "$PY" -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(sysconfig.get_paths()["include"] + "/Python.h"))' \
      || missing="$missing python3-dev"
    # shellcheck disable=SC2086
    if [ -n "$(echo $missing)" ]; then echo "Installing system packages:" $missing; apt_install $missing; fi
  else
    missing=$(deb_missing xclip libnotify-bin)
    # shellcheck disable=SC2086
    [ -z "$(echo $missing)" ] || echo "Optional: 'Copy Path' and desktop notifications use xclip and libnotify-bin: sudo apt install" $missing
  fi
fi

stamp="$VENV/.retro-ml-setup-$MODE"
want="$(cat pyproject.toml | sha256sum | cut -c1-16) $TORCH_SPEC $extras"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing Python packages (first run takes a few minutes)…"
  "$PY" -m pip install -q --disable-pip-version-check "$TORCH_SPEC"
  "$PY" -m pip install -q --disable-pip-version-check -e ".[${extras}]"
  echo "$want" > "$stamp"
fi

if [ ! -f ui/node_modules/socket.io-client/package.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || apt_install nodejs npm
  echo "Installing UI packages…"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$MODE" = dev ] && [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium for the browser tests…"
  apt_install chromium
fi
