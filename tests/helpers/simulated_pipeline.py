"""The real pipeline, through Snakemake, over simulated runs in a scratch project.

Used by tests/e2e/test_simulated_grid.py (a sub-grid) and benchmarks/simulate_thesis_grid.py
(the whole thesis grid). A scratch copy of the project (tests/e2e/conftest.py: make_project)
gets every run of its params file simulated where the train and explain rules put them
(tests/helpers/simulated_runs.py: stamped with the current settings and code, stand-in
checkpoints, bundle markers), and small real stand-ins where a step needs real data or trained
weights:

- held complete with `snakemake --touch` (Snakemake records them, params and code digests
  included, in .snakemake/metadata, so no later run plans them): download (each dataset's
  manifest, written by the real download code for scikit-learn's digits, no network); prepare
  (the digits, prepared by the project's prepare code at 32 px, under each dataset's name);
  weights (a marker naming the models, no weights); train_bundle and explain_bundle (the
  simulated runs); notebook (placeholder figures: the notebooks load trained checkpoints);
- run for real on the stand-ins: split, samples, rulegraph, estimate, saliency_figures;
- then `snakemake --cores 2` runs aggregate, report, metrics, thesis and job_costs, each
  measured by its rule's `benchmark:` file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from proxy_attention import layout
from proxy_attention.atomic import write_json
from proxy_attention.params import validate_params
from tests.e2e.conftest import make_project
from tests.helpers.simulated_runs import simulate_grid

ROOT = Path(__file__).resolve().parents[2]
THESIS_CONFIG = ROOT / "workflow" / "configs" / "thesis.yaml"
CORES = 2
# The stand-in data: the digits at this size under every dataset name (6 x 5 MB on the thesis
# grid; at the grid's 224 px they would take 1.6 GB and nothing here trains on them).
STAND_IN = {"source": "digits", "image_size": 32}
# Rules whose jobs are held complete: they need the network, real data or trained weights.
HELD_RULES = frozenset(
    {"download", "prepare", "weights", "train", "train_bundle", "explain", "explain_bundle",
     "notebook"}
)  # fmt: skip
# What a simulated project may still plan before its real run.
REAL_RULES = frozenset(
    {"split", "samples", "gallery", "rulegraph", "estimate", "saliency_figures", "aggregate",
     "augmentation_costs", "report", "metrics", "thesis", "job_costs", "all", "results"}
)  # fmt: skip


@dataclass
class StepResult:
    seconds: float
    peak_mib: float
    output: str
    cpu_seconds: float = 0.0  # user + system: what the step costs on a machine shared by others


def run_measured(command: list[str], cwd: Path) -> StepResult:
    """Run ``command``: wall time, user + system time and peak resident memory of it and its
    descendants (os.wait4 reports the rusage of exactly that process tree)."""
    started = time.perf_counter()
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PATH": path}
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        output = process.stdout.read()  # not communicate(): it would reap the child first
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])} ... failed:\n{output[-6000:]}")
    return StepResult(seconds, usage.ru_maxrss / 1024, output, usage.ru_utime + usage.ru_stime)


def snakemake(project: Path, params_file: str, *arguments: str) -> StepResult:
    return run_measured(
        [sys.executable, "-m", "snakemake", "--configfile", params_file, *arguments], project
    )


def write_data_stand_ins(project: Path, params: dict[str, Any]) -> list[str]:
    """Raw manifests, prepared datasets and the weights marker; returns what to touch."""
    from proxy_attention.data.sources import download_source, prepare_source
    from proxy_attention.weights import MARKER, grid_models

    outputs = []
    for dataset in params["grid"]["datasets"]:
        manifest = project / layout.RAW_MANIFEST.format(dataset=dataset)
        download_source(STAND_IN, manifest.parent, manifest)
        prepare_source(STAND_IN, manifest.parent, project / layout.prepared(dataset))
        outputs.append(layout.prepared(dataset))
    if grid_models(params):
        stand_in = "stand-in: no weights were fetched, nothing trains on them"
        write_json(project / MARKER, {"models": grid_models(params), "stand_in": stand_in})
        outputs.append(MARKER)
    return outputs


def write_notebook_stand_ins(project: Path, params: dict[str, Any]) -> list[str]:
    """Every notebook job's outputs as placeholders; returns their PDFs (to touch)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from proxy_attention.report.notebook_figures import NOTEBOOK_FIGURES, pair_slug

    pdfs = []
    for run_id in params["figures"]["pairs"]:
        for name in NOTEBOOK_FIGURES:
            stem = layout.NOTEBOOK_STEM.format(pair=pair_slug(run_id), notebook=name)
            (project / stem).parent.mkdir(parents=True, exist_ok=True)
            figure, axes = plt.subplots(figsize=(5, 1))
            axes.axis("off")
            axes.text(0.5, 0.5, f"{name}: stand-in (simulated runs have no weights)", ha="center")
            for ext in ("pdf", "png"):
                figure.savefig(project / f"{stem}.{ext}")
            plt.close(figure)
            notebook = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            write_json(project / f"{stem}.ipynb", notebook)
            pdfs.append(f"{stem}.pdf")
    return pdfs


def explained_files(params: dict[str, Any]) -> list[str]:
    """What Snakemake tracks for every run's explanation (common.smk: explained)."""
    from proxy_attention.bundles import bundles
    from proxy_attention.grid import expand_grid

    if params["grid"]["train_together"]:
        return [layout.marker("explain", bundle_id) for bundle_id in bundles(params)]
    return [layout.explain_metrics(spec.run_id) for spec in expand_grid(params)]


def hold_complete(project: Path, params_file: str, rules: list[str], targets: list[str]):
    """`snakemake --touch` of the jobs of ``rules`` that make ``targets``: Snakemake records
    them as done (metadata with their params, so with the code digests). --forcerun: outputs
    already newer than their inputs and never recorded would otherwise be left unrecorded
    ("Nothing to be done")."""
    return snakemake(
        project, params_file, "--touch", "--cores", "1", "--forcerun", *rules, "--", *targets
    )


def simulate_held_jobs(project: Path, params_file: str, params: dict[str, Any], seed: int):
    """Stand-ins and simulated runs, in the order the pipeline makes them (the data before
    the runs, so each run is newer than its inputs), held complete by Snakemake."""
    data = write_data_stand_ins(project, params)
    held = hold_complete(project, params_file, ["download", "prepare", "weights"], data)
    split = snakemake(project, params_file, "--cores", str(CORES), "data")
    started = time.perf_counter()
    count = simulate_grid(params, project, seed=seed, as_pipeline=True)
    simulated = StepResult(time.perf_counter() - started, 0.0, "")
    figures = write_notebook_stand_ins(project, params)
    bundled = bool(params["grid"]["train_together"])
    run_rules = ["train_bundle", "explain_bundle"] if bundled else ["train", "explain"]
    touched = hold_complete(
        project, params_file, [*run_rules, "notebook"], [*explained_files(params), *figures]
    )
    return count, {"simulate": simulated, "data splits": split, "touch": merged(held, touched)}


def recorded_jobs(project: Path) -> dict[str, int]:
    """Output files per rule in Snakemake's metadata (.snakemake/metadata, one JSON record
    per output file, named by its path)."""
    counts: dict[str, int] = {}
    for path in (project / ".snakemake" / "metadata").rglob("*"):
        if path.is_file():
            rule = json.loads(path.read_text())["rule"]
            counts[rule] = counts.get(rule, 0) + 1
    return dict(sorted(counts.items()))


def merged(*steps: StepResult) -> StepResult:
    return StepResult(
        sum(s.seconds for s in steps),
        max(s.peak_mib for s in steps),
        "".join(s.output for s in steps),
        sum(s.cpu_seconds for s in steps),
    )


def planned_jobs(project: Path, params_file: str, *arguments: str) -> dict[str, int]:
    """Jobs per rule that `snakemake -n <arguments>` plans."""
    dry = snakemake(project, params_file, "--dry-run", "--quiet", "rules", *arguments)
    counts = re.findall(r"^(\w+)\s+(\d+)$", dry.output, re.MULTILINE)
    return {rule: int(count) for rule, count in counts if rule != "total"}


def check_plan(plan: dict[str, int]) -> None:
    """Refuse to go on if Snakemake would train, explain or fetch anything."""
    unexpected = {rule: count for rule, count in plan.items() if rule not in REAL_RULES}
    if unexpected:
        raise RuntimeError(
            f"snakemake still plans {unexpected}: the simulated runs are not held complete "
            "(with --reuse: the code they were stamped with changed; simulate them again)"
        )


def benchmark_number(row, column: str) -> float:
    """A column of a benchmark row; 0 where Snakemake wrote NA (a job ended before its first
    sample)."""
    import pandas as pd

    value = pd.to_numeric(row.get(column), errors="coerce")
    return 0.0 if pd.isna(value) else float(value)


def benchmark_rows(project: Path, since: float) -> dict[str, StepResult]:
    """Every job's row of Snakemake's benchmark files written since ``since`` (epoch
    seconds), by job: its path under logs/benchmarks without .tsv."""
    import pandas as pd

    rows = {}
    root = project / layout.BENCHMARKS_ROOT
    for path in sorted(root.rglob("*.tsv")):
        if path.stat().st_mtime >= since:
            row = pd.read_csv(path, sep="\t").iloc[-1]
            rows[str(path.relative_to(root).with_suffix(""))] = StepResult(
                benchmark_number(row, "s"),
                benchmark_number(row, "max_rss"),
                "",
                benchmark_number(row, "cpu_time"),
            )
    return rows


def run_simulated_pipeline(
    params: dict[str, Any],
    folder: Path,
    build_pdf: bool = True,
    seed: int = 0,
    reuse: bool = False,
    params_file: str = "params.yaml",
) -> dict[str, Any]:
    """Simulate the grid of ``params`` in a scratch project in ``folder``, read there from
    ``params_file`` (``reuse``: keep what was simulated there before), and build its results
    (``build_pdf``: the whole pipeline) through Snakemake. Returns the run count, the
    preparation's steps, the plan left for the real run, the real run ("snakemake") and each
    of its jobs by benchmark name ("aggregate/aggregate"), the report steps also by rule."""
    project = make_project(folder, params)
    # Validated as the Snakefile does (without its model checks, which only refuse a file).
    validated = validate_params(yaml.safe_load((project / params_file).read_text()))
    if validated != validate_params(params):
        raise ValueError(f"{params_file} in the project is not the params given")
    results: dict[str, Any] = {}
    fresh = not (reuse and (project / layout.RUNS_ROOT).exists())
    if fresh:
        results["runs"], steps = simulate_held_jobs(project, params_file, validated, seed)
        results.update(steps)
    else:
        from proxy_attention.grid import expand_grid

        results["runs"] = len(expand_grid(validated))
    target = "all" if build_pdf else "results"
    # Reused: the aggregate, and so everything after it, runs again on the same runs; the
    # thesis from scratch, as the first time (latexmk would skip what its files left there).
    again = [] if fresh else ["--forcerun", "aggregate", "--"]
    if not fresh:
        shutil.rmtree(project / Path(layout.THESIS_PDF).parent, ignore_errors=True)
    results["recorded"] = recorded_jobs(project)
    results["plan"] = planned_jobs(project, params_file, *again, target)
    check_plan(results["plan"])
    since = time.time()
    results["snakemake"] = snakemake(project, params_file, "--cores", str(CORES), *again, target)
    results["jobs"] = benchmark_rows(project, since)
    for job, step in results["jobs"].items():
        results.setdefault(job.split("/")[0], step)
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
    from tests.helpers.simulated_runs import planted_gain

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
