"""The real aggregate, report and thesis steps over simulated runs, in a scratch project.

Used by tests/e2e/test_simulated_grid.py (a sub-grid) and benchmarks/simulate_thesis_grid.py
(the whole thesis grid): simulate every run of a params file, then run `proxy-attention
aggregate`, `report` and `thesis` there as the rules do, measuring each step.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from proxy_attention.report.simulate import simulate_grid

ROOT = Path(__file__).resolve().parents[2]
THESIS_CONFIG = ROOT / "workflow" / "configs" / "thesis.yaml"
# Written by steps that need real images (samples, rulegraph, notebooks) or a calibration on
# this machine (estimate), not by the report.
NOT_SIMULATED = ("datasets.tex", "dag.tex", "saliency_figures.tex", "estimate.tex")


@dataclass
class StepResult:
    seconds: float
    peak_mib: float
    output: str
    cpu_seconds: float = 0.0  # user + system: what the step costs on a machine shared by others


def scratch_project(folder: Path, params: dict[str, Any]) -> Path:
    """``folder`` with the thesis sources, ``params`` as params.yaml and stubs for the
    generated files the report does not write."""
    shutil.copytree(
        ROOT / "thesis",
        folder / "thesis",
        ignore=shutil.ignore_patterns("generated", "build"),
        dirs_exist_ok=True,
    )
    generated = folder / "thesis" / "generated"
    generated.mkdir(parents=True, exist_ok=True)
    for name in NOT_SIMULATED:
        (generated / name).write_text(f"% {name}: not part of the simulation\n")
    (folder / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    # The thesis quotes the size of the source thesis' grid and the lock file's hash.
    (folder / "workflow" / "configs").mkdir(parents=True, exist_ok=True)
    shutil.copy2(THESIS_CONFIG, folder / "workflow" / "configs" / "thesis.yaml")
    shutil.copy2(ROOT / "requirements.lock", folder / "requirements.lock")
    return folder


def run_step(arguments: list[str], cwd: Path) -> StepResult:
    """`python -m proxy_attention <arguments>`: wall time and the child's peak resident memory
    (os.wait4 reports the rusage of exactly that process)."""
    started = time.perf_counter()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "proxy_attention", *arguments],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        output = process.stdout.read()  # not communicate(): it would reap the child first
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"proxy-attention {arguments[0]} failed:\n{output[-4000:]}")
    return StepResult(seconds, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime)


def run_simulated_pipeline(
    params: dict[str, Any],
    folder: Path,
    build_pdf: bool = True,
    seed: int = 0,
    reuse: bool = False,
) -> dict[str, StepResult | int]:
    """Simulate the grid of ``params`` in ``folder`` (``reuse``: keep runs simulated there
    before) and run the real steps over it."""
    from proxy_attention.grid import expand_grid
    from proxy_attention.params import validate_params

    project = scratch_project(folder, params)
    started = time.perf_counter()
    if reuse and (project / "data" / "runs").exists():
        count = len(expand_grid(validate_params(params)))
    else:
        count = simulate_grid(validate_params(params), project, seed=seed)
    results: dict[str, StepResult | int] = {
        "runs": count,
        "simulate": StepResult(time.perf_counter() - started, 0.0, ""),
    }
    with_params = ["--params", "params.yaml"]
    results["aggregate"] = run_step(
        ["aggregate", *with_params, "--runs", "data/runs", "--explain", "data/explain",
         "--out", "data/results"],
        project,
    )  # fmt: skip
    results["report"] = run_step(
        ["report", *with_params, "--results", "data/results", "--out", "thesis/generated",
         "--thesis-grid", "workflow/configs/thesis.yaml"],
        project,
    )  # fmt: skip
    if build_pdf:
        results["thesis"] = run_step(
            ["thesis", "--tex", "thesis/thesis.tex", "--out", "thesis/build/thesis.pdf"], project
        )
    return results


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(next(line.split()[-1] for line in info.stdout.splitlines() if "Pages:" in line))


def thesis_params(**grid: Any) -> dict[str, Any]:
    """workflow/configs/thesis.yaml with some grid lists replaced (a sub-grid)."""
    params = yaml.safe_load(THESIS_CONFIG.read_text())
    proxy = grid.pop("proxy", {})
    params["grid"].update(grid)
    params["grid"]["proxy"].update(proxy)
    return params


def planted_pairs(folder: Path, params: dict[str, Any]):
    """runs.csv of a simulated project with labels, and its pairs with their planted gain."""
    import pandas as pd

    from proxy_attention.grid import runs_by_id
    from proxy_attention.params import validate_params
    from proxy_attention.report.build import add_labels
    from proxy_attention.report.comparison import paired_runs
    from proxy_attention.report.simulate import planted_gain

    runs = add_labels(pd.read_csv(folder / "data" / "results" / "runs.csv"))
    specs = runs_by_id(validate_params(params))
    pairs = paired_runs(runs)
    pairs["truth"] = pairs["run_id"].map(lambda run_id: planted_gain(specs[run_id]))
    return runs, pairs


def views_with_truth(folder: Path, runs, pairs, confidence: float) -> dict[str, Any]:
    """Every family of tests the report makes, each row with the planted gain it tests (the
    mean planted gain of the pairs it pools)."""
    import pandas as pd

    from proxy_attention.report import summary_views as views

    def truth_of(table, keys):
        truth = pairs.groupby(keys)["truth"].mean().reset_index()
        return table.merge(truth, on=keys, how="left", validate="one_to_one")

    effects = views.main_effects(pairs, confidence)
    effects["truth"] = [
        (pairs if scope == views.ALL_DATASETS else pairs[pairs["dataset"] == scope])
        .pipe(lambda scoped, f=factor, v=level: scoped.loc[scoped[f].astype(str) == v, "truth"])
        .mean()
        for scope, factor, level in zip(
            effects["scope"], effects["factor"], effects["level"], strict=True
        )
    ]
    cell_keys = ["dataset", "model", "augmentation", "threshold", "weight"]
    variants = pd.read_csv(folder / "data" / "results" / "variants.csv")
    return {
        "main effects": effects,
        "cells": truth_of(views.threshold_weight_cells(pairs, confidence), cell_keys),
        "chosen": truth_of(views.chosen_settings(runs, pairs, confidence), ["variant"]),
        "variants": truth_of(variants.rename(columns={"gain": "mean_diff"}), ["variant"]),
    }


def false_positives(table, alpha: float):
    """Rows called significant whose planted gain is zero."""
    from proxy_attention.report.summary_views import significant

    return table[significant(table, alpha) & (table["truth"].abs() < 1e-12)]
