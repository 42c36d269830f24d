#!/usr/bin/env bash
# Set up, then run the test suite (unit, integration, and the end-to-end pipeline tests).
# Extra arguments go to pytest, e.g. `-m "not e2e"` for the fast tests only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash workflow/scripts/setup.sh --tests
exec .venv/bin/python -m pytest "$@"
