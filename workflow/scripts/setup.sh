#!/usr/bin/env bash
# Set up everything the pipeline needs, idempotently and fast when done already: the Debian
# packages (TeX for the thesis, Graphviz for the rule graph) and .venv with the exact Python pins
# of requirements.lock. `setup.sh --tests` adds Chromium, for the test that opens Snakemake's
# report in a headless browser (the pipeline itself never needs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

DEBIAN_PACKAGES=(latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended
                 texlive-science lmodern graphviz poppler-utils)
if [[ "${1:-}" == "--tests" ]]; then
  DEBIAN_PACKAGES+=(chromium)
fi

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: missing Debian packages: ${missing[*]}; install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi
wanted=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ "$(cat .venv/.installed 2>/dev/null)" != "$wanted" ]]; then
  echo "setup: installing the pinned Python packages (requirements.lock)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  echo "$wanted" > .venv/.installed
fi
