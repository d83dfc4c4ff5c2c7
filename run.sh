#!/usr/bin/env bash
# Install what is needed, then open Interview Desktop on its offline defaults.
# Any arguments are passed to the app, e.g. ./run.sh --candidate "Ada" --role "Software Engineer"
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
ensure_system_packages "${RUNTIME_PACKAGES[@]}"
ensure_venv
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  say "no display found: running without a window (QT_QPA_PLATFORM=offscreen)"
  export QT_QPA_PLATFORM=offscreen
fi
exec .venv/bin/interview-desktop "$@"
