#!/usr/bin/env bash
# Builds the desktop executable (PyInstaller onedir, build.spec) and runs the frozen smoke test:
# --selftest (speech model, VAD, offline voice), then a spoken one-question interview through the
# virtual microphone with --auto-start --quit-when-done, and the session saved.
#   scripts/build-executable.sh            # build + smoke test; prints size and build time
#   scripts/build-executable.sh --no-smoke # build only
# Output: dist/interview-desktop/interview-desktop (and bench/results/executable.json)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
ensure_system_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${BUILD_PACKAGES[@]}"
ensure_venv dev
PYINSTALLER="pyinstaller==6.22.3"  # GPL-2.0 with the bootloader exception: the bundle's licence is ours
.venv/bin/python -m pip install -q --disable-pip-version-check "$PYINSTALLER"
started=$SECONDS
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN build.spec
build_s=$((SECONDS - started))
bundle=dist/interview-desktop
size_mb=$(du -sm "$bundle" | cut -f1)
say "built $bundle in ${build_s} s: ${size_mb} MB"
[ "${1:-}" = "--no-smoke" ] && exit 0
export QT_QPA_PLATFORM=offscreen
services=$(scripts/test-services.sh start)
eval "$services"
trap 'scripts/test-services.sh stop $INTERVIEW_TEST_STARTED' EXIT
.venv/bin/python scripts/frozen_smoke.py "$bundle/interview-desktop" --build-s "$build_s" --size-mb "$size_mb"
