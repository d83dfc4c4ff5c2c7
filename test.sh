#!/usr/bin/env bash
# Install what is needed (system packages included), start the test services (virtual microphone,
# MongoDB-wire server), and run the whole test suite. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
ensure_system_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_venv dev
export QT_QPA_PLATFORM=offscreen
export INTERVIEW_TEST_STRICT=1  # a test skipped for a missing tool or service fails (tests/conftest.py)
services=$(scripts/test-services.sh start)
eval "$services"
trap 'scripts/test-services.sh stop $INTERVIEW_TEST_STARTED' EXIT
# A hang inside native code (Qt, PortAudio) cannot be interrupted by pytest-timeout's signal
# method; the thread method (pyproject.toml) dumps every thread's stack and ends the run, and
# this outer limit ends it whatever happens, well inside CI's 90 minutes.
timeout --foreground --kill-after=60 "${INTERVIEW_TEST_TOTAL_TIMEOUT:-3600}" .venv/bin/python -m pytest "$@"
