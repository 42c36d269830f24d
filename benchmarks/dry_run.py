"""How long `snakemake -n` takes to plan the source thesis' grid (21,690 runs).

Three dry runs in a scratch copy of the workflow, each timed end to end (start-up included):
the embedded default (the reference: Snakemake's fixed cost), the thesis grid as shipped
(`grid.train_together: [thresholds, weights]`, one job per bundle of runs), and, with
`--one-job-per-run`, the same grid with one job per run, which is what bundles replace.

    .venv/bin/python benchmarks/dry_run.py [--one-job-per-run]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
THESIS = "workflow/configs/thesis.yaml"
COPIED = ["Snakefile", "params.yaml", "workflow", "notebooks", "thesis"]


def dry_run(project: Path, params: str) -> tuple[float, int]:
    command = [sys.executable, "-m", "snakemake", "-n", "--config", f"params={params}"]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    total = re.search(r"^total\s+(\d+)$", result.stdout, re.MULTILINE)
    return seconds, int(total.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one-job-per-run", action="store_true", help="also time it unbundled")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("generated"))
            else:
                shutil.copy2(source, project / name)
        cases = {"default params.yaml": "params.yaml", "thesis grid, bundled": THESIS}
        if args.one_job_per_run:
            unbundled = yaml.safe_load((ROOT / THESIS).read_text())
            unbundled["grid"]["train_together"] = []
            (project / "unbundled.yaml").write_text(yaml.safe_dump(unbundled))
            cases["thesis grid, one job per run"] = "unbundled.yaml"
        reference = None
        for label, params in cases.items():
            seconds, jobs = dry_run(project, params)
            reference = reference or seconds
            print(
                f"{label:30s} {jobs:6d} jobs  {seconds:6.1f} s  "
                f"{seconds / reference:5.1f}x the default's dry run"
            )


if __name__ == "__main__":
    main()
