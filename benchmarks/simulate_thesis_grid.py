"""The thesis grid's report at full scale: 21,690 simulated runs through Snakemake itself.

A scratch project (the repository's Snakefile, workflow/, thesis/, notebooks/, src/, params and
requirements.lock) reads workflow/configs/thesis.yaml (`--configfile`). Every run is written
where the train and explain rules put them, stamped like real results with the current
settings and code, with schema-true simulated metrics and planted effects
(tests/helpers/simulated_runs.py: +1.0 point on food101 at thresholds >= 0.8, -0.5 point at
weight 0.95, nothing elsewhere).

Stand-ins (tests/helpers/simulated_pipeline.py): download, prepare and weights get pre-written
outputs (manifests and prepared data made by the project's own download and prepare code from
scikit-learn's digits at 32 px under each dataset name; a weights marker without weights), and
train_bundle, explain_bundle and notebook (placeholder figures) jobs are held complete with
`snakemake --touch`, which records them, so `snakemake -n` plans no training. split, samples,
rulegraph, estimate and saliency_figures then run for real on the stand-ins, and aggregate,
report, metrics, thesis and job_costs on the simulated runs, to the PDF:
`snakemake --cores 2 --configfile workflow/configs/thesis.yaml`.

Prints the preparation's times, what `snakemake -n` still planned, a table of wall time, CPU
time (user + system) and peak memory per job from Snakemake's `benchmark:` files, aggregate +
report + thesis against the 5-minute CPU budget, the aggregate against the time to only parse
every metrics file, the page count (and the main text's), which planted effects the report's
tests find and how many untouched settings they call significant; renders the heatmap page.

    nice -n 10 .venv/bin/python benchmarks/simulate_thesis_grid.py [--out DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers.simulated_pipeline import (  # noqa: E402
    false_positives,
    pdf_pages,
    planted_pairs,
    run_simulated_pipeline,
    thesis_params,
    views_with_truth,
)

from proxy_attention.report.summary_views import significant  # noqa: E402

BUDGET_SECONDS = 300.0  # of CPU time, for aggregate + report + thesis
BUDGETED = ("aggregate", "report", "thesis")
ALPHA = 0.05
THESIS_GRID = "workflow/configs/thesis.yaml"


def parse_seconds(folder: Path) -> float:
    """The reference: only reading and parsing every metrics file the aggregate step reads."""
    started = time.perf_counter()
    for root in ("runs", "explain"):
        for path in (folder / "data" / root).rglob("metrics.json"):
            orjson.loads(path.read_bytes())
    return time.perf_counter() - started


def physical_page(pdf: Path, caption: str) -> int | None:
    """The 1-based PDF page (not the printed number) whose text holds ``caption``."""
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [" ".join(page.split()) for page in text.split("\f")]
    # The last match: the list of figures repeats the caption before the figure itself.
    found = [i + 1 for i, page in enumerate(pages) if caption in page]
    return found[-1] if found else None


def main_text_pages(latex_dir: Path) -> int | None:
    """Arabic pages before the appendix: chapter 1 to the conclusion."""
    toc = (latex_dir / "thesis.toc").read_text(errors="replace")
    found = re.search(r"\\contentsline \{chapter\}\{\\numberline \{A\}[^}]*\}\{(\d+)\}", toc)
    return int(found.group(1)) - 1 if found else None


def print_effects(folder: Path, params: dict) -> None:
    runs, pairs = planted_pairs(folder, params)
    views = views_with_truth(folder, runs, pairs, 1 - ALPHA)
    effects = views["main effects"]
    found = effects[significant(effects, ALPHA)]
    print("main effects found (Holm p < 0.05 within each scope):")
    for row in found.itertuples():
        print(
            f"  {row.scope:>14} {row.factor}={row.level}: {100 * row.mean_diff:+.2f} points "
            f"[{100 * row.ci_low:+.2f}, {100 * row.ci_high:+.2f}], planted "
            f"{100 * row.truth:+.2f}, p_holm {row.p_holm:.2g}"
        )
    for name, table in views.items():
        marked = int(significant(table, ALPHA).sum())
        planted = int((table["truth"].abs() > 1e-12).sum())
        wrong = len(false_positives(table, ALPHA))
        print(
            f"{name}: {len(table)} tests, {planted} with a planted gain, {marked} significant, "
            f"{wrong} of them without one"
        )
    chosen = views["chosen"]
    print("chosen on validation per control:")
    for row in chosen.itertuples():
        print(
            f"  {row.dataset}/{row.model}: {row.proxy_label} gain {100 * row.mean_diff:+.2f} "
            f"(planted {100 * row.truth:+.2f}) p_holm {row.p_holm:.2g}"
        )


def print_preparation(steps: dict, folder: Path) -> None:
    print(f"project: {folder}")
    if "simulate" not in steps:
        print(f"runs: {steps['runs']} reused from an earlier run of this benchmark")
    else:
        print(f"runs simulated: {steps['runs']} in {steps['simulate'].seconds:.0f} s")
        for name, what in (
            ("touch", "snakemake --touch of download, prepare, weights, bundles, notebooks"),
            ("data splits", "snakemake split jobs (real, on the digits stand-ins)"),
        ):
            step = steps[name]
            print(f"{what}: {step.seconds:.0f} s wall, {step.cpu_seconds:.0f} s CPU")
    recorded = ", ".join(f"{rule} {count}" for rule, count in steps["recorded"].items())
    print(f"output files Snakemake records as made (.snakemake/metadata): {recorded}")
    planned = ", ".join(f"{rule} {count}" for rule, count in steps["plan"].items())
    print(f"snakemake -n then planned: {planned}")


def print_jobs(steps: dict) -> None:
    """Snakemake's benchmark row of every job of the real run, and the run as a whole."""
    print(f"{'job (logs/benchmarks/...)':<36} {'wall s':>8} {'CPU s':>8} {'peak MiB':>9}")
    for job, step in steps["jobs"].items():
        print(f"{job:<36} {step.seconds:>8.1f} {step.cpu_seconds:>8.1f} {step.peak_mib:>9.0f}")
    run = steps["snakemake"]
    print(
        f"{'snakemake --cores 2, all jobs':<36} {run.seconds:>8.1f} {run.cpu_seconds:>8.1f} "
        f"{run.peak_mib:>9.0f}  (os.wait4 on snakemake: its own planning and every job)"
    )
    print(
        "  (jobs without a row have no benchmark: directive: split, samples, rulegraph, "
        "estimate, saliency_figures)"
    )


def print_budget(steps: dict, folder: Path) -> None:
    """Aggregate + report + thesis against the CPU budget, three ways: Snakemake's sampled CPU
    time (psutil every 0.5 s, after 30 s every 30 s: CPU after a process' last sample is
    missed, a lower bound), their wall time (an upper bound: each runs one process at a
    time) and the exact CPU of the whole `snakemake` run (os.wait4: every job and Snakemake's
    own planning, an upper bound)."""
    sampled = {name: steps[name].cpu_seconds for name in BUDGETED}
    wall = {name: steps[name].seconds for name in BUDGETED}
    exact = steps["snakemake"].cpu_seconds
    print(f"{' + '.join(BUDGETED)} against the 5-minute CPU budget ({BUDGET_SECONDS:.0f} s):")
    for label, seconds in (("CPU, Snakemake's benchmark files", sampled), ("wall", wall)):
        parts = " + ".join(f"{value:.1f}" for value in seconds.values())
        total = sum(seconds.values())
        print(f"  {label}: {parts} = {total:.1f} s = {total / BUDGET_SECONDS:.2f} x the budget")
    print(
        f"  CPU of the whole snakemake run, every job included: {exact:.1f} s = "
        f"{exact / BUDGET_SECONDS:.2f} x the budget"
    )
    for name in BUDGETED:
        print(
            f"  {name}: {sampled[name] / BUDGET_SECONDS:.2f} x (CPU), "
            f"{wall[name] / BUDGET_SECONDS:.2f} x (wall)"
        )
    reference = parse_seconds(folder)
    print(
        f"aggregate = {steps['aggregate'].seconds / reference:.2f} x parsing every metrics "
        f"file ({reference:.1f} s wall)"
    )


def print_pdf(folder: Path) -> None:
    pdf = folder / "thesis" / "build" / "thesis.pdf"
    latex = pdf.parent / "latex"
    print(f"PDF built: {pdf.exists()}, {pdf_pages(pdf)} pages, main text {main_text_pages(latex)}")
    page = physical_page(pdf, "Paired gain over the control in points per threshold")
    if page is not None:
        png = folder / "heatmap-page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "100", "-f", str(page), "-l", str(page), str(pdf), png],
            check=True,
        )
        print(f"heatmap figure on PDF page {page}: {sorted(folder.glob('heatmap-page*.png'))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="scratch project (kept)")
    parser.add_argument("--sub-grid", action="store_true", help="3 datasets x 2 models only")
    parser.add_argument("--reuse", action="store_true", help="keep the runs simulated in --out")
    args = parser.parse_args()
    folder = (args.out or Path(tempfile.mkdtemp(prefix="simulated-thesis-grid-"))).resolve()
    if args.sub_grid:
        sub_grid = dict(
            datasets=["food101", "cifar100", "imagenette"], models=["resnet18", "vgg16"]
        )
        params, params_file = thesis_params(**sub_grid), "params.yaml"
    else:
        params, params_file = thesis_params(), THESIS_GRID
    steps = run_simulated_pipeline(params, folder, reuse=args.reuse, params_file=params_file)
    print_preparation(steps, folder)
    print_jobs(steps)
    print_budget(steps, folder)
    print_pdf(folder)
    print_effects(folder, params)


if __name__ == "__main__":
    main()
