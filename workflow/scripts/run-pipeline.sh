#!/usr/bin/env bash
# Set up, then run the whole pipeline to the thesis PDF (thesis/build/thesis.pdf).
# Extra arguments go to Snakemake, e.g. `--cores 8` or `-n`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash workflow/scripts/setup.sh
exec .venv/bin/snakemake --cores all "$@"
