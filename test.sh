#!/usr/bin/env bash
# Install what is needed (system packages included), start the test services (virtual microphone,
# MongoDB-wire server), and run the whole test suite. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
ensure_system_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_venv dev
export QT_QPA_PLATFORM=offscreen
services=$(scripts/test-services.sh start)
eval "$services"
trap 'scripts/test-services.sh stop $INTERVIEW_TEST_STARTED' EXIT
.venv/bin/python -m pytest "$@"
