"""Steps from results to the thesis: aggregate, report, samples, dag, saliency-figures, thesis,
metrics, job-costs."""

from __future__ import annotations

import argparse
from pathlib import Path

from proxy_attention.cli.commands import OUT, PARAMS, arg, command, path


# Paths come from the grid, not the command line: the thesis grid's 21,690 runs would
# overflow the kernel's limit on one argument (128 KiB).
@command(
    "aggregate",
    "one tidy table of all runs of the grid",
    PARAMS,
    path("--runs", "data/runs"),
    path("--explain", "data/explain, if explained", required=False),
    path("--out", "results directory"),
)
def aggregate(args: argparse.Namespace) -> None:
    from proxy_attention.grid import expand_grid
    from proxy_attention.layout import METRICS
    from proxy_attention.params import load_params
    from proxy_attention.report.aggregate import aggregate_to

    run_ids = [spec.run_id for spec in expand_grid(load_params(args.params))]
    metrics = [args.runs / run_id / METRICS for run_id in run_ids]
    explain = [args.explain / run_id / METRICS for run_id in run_ids] if args.explain else []
    aggregate_to(metrics, explain, args.out)


@command(
    "report",
    "LaTeX tables, figures and macros for the thesis",
    PARAMS,
    path("--results", "data/results"),
    OUT,
    path("--thesis-grid", "config whose grid size the thesis quotes", required=False),
)
def report(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params
    from proxy_attention.report.build import write_report

    write_report(args.results, load_params(args.params), args.params, args.out, args.thesis_grid)


@command(
    "samples",
    "a sample-batch figure per prepared dataset",
    path("--tex", "the LaTeX that includes them (thesis/generated/datasets.tex)"),
    path("--figures", "folder of the figures, <dataset>.pdf and .png"),
    arg("prepared", type=Path, nargs="+", help="data/prepared/<dataset> folders"),
    arg("--duplicates", type=Path, nargs="*", default=[], help="data/splits/*.duplicates.json"),
)
def samples(args: argparse.Namespace) -> None:
    from proxy_attention.report.samples import write_sample_figures

    write_sample_figures(args.prepared, args.tex, args.figures, args.duplicates)


@command(
    "gallery",
    "every augmentation applied to the same four training images, a figure per page",
    path("--tex", "the LaTeX that includes them (thesis/generated/gallery.tex)"),
    path("--figures", "folder of the figures, augmentations-<page>.pdf and .png"),
    arg("prepared", type=Path, help="a data/prepared/<dataset> folder"),
    arg("augmentations", nargs="+", help="registry names or chains, in the rows' order"),
)
def gallery(args: argparse.Namespace) -> None:
    from proxy_attention.report.gallery import write_gallery

    write_gallery(args.prepared, args.augmentations, args.tex, args.figures)


@command(
    "augmentation-costs",
    "each augmentation's accuracy beside its training time against basic's, from runs.csv",
    path("--runs", "data/results/runs.csv"),
    path("--tex", "the LaTeX table (thesis/generated/augmentation_costs.tex)"),
)
def augmentation_costs(args: argparse.Namespace) -> None:
    from proxy_attention.report.augmentation_costs import write_augmentation_costs

    write_augmentation_costs(args.runs, args.tex)


@command(
    "dag",
    "the pipeline's rule graph as a figure",
    path("--dot", "rule graph in dot"),
    path("--pdf", "the figure"),
    path("--tex", "the LaTeX that includes it"),
)
def dag(args: argparse.Namespace) -> None:
    from proxy_attention.report.dag import write_dag_figure

    write_dag_figure(args.dot, args.pdf, args.tex)


@command(
    "saliency-figures",
    "the LaTeX that includes every pair's notebook figures",
    PARAMS,
    path("--figures", "data/figures"),
    path("--tex", "the LaTeX (thesis/generated/saliency_figures.tex)"),
    path("--copies", "folder the figures are copied into, inside thesis/generated"),
)
def saliency_figures(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params
    from proxy_attention.report.notebook_figures import write_saliency_tex

    write_saliency_tex(load_params(args.params), args.figures, args.tex, args.copies)


@command("thesis", "build the thesis PDF with latexmk", path("--tex", "thesis.tex"), OUT)
def thesis(args: argparse.Namespace) -> None:
    from proxy_attention.thesis import build_pdf

    build_pdf(args.tex, args.out)


@command(
    "metrics",
    "DVC metrics and plots files of the build",
    PARAMS,
    path("--results", "data/results"),
    path("--out", "metrics/ (outside DVC outs)"),
    path("--html", "the tables for Snakemake's report"),
)
def metrics(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params
    from proxy_attention.report.dvc_metrics import write_dvc_metrics

    confidence = load_params(args.params)["report"]["confidence"]
    write_dvc_metrics(args.results, confidence, args.out, args.html)


@command(
    "job-costs",
    "time and memory per rule from Snakemake's benchmarks",
    path("--benchmarks", "logs/benchmarks"),
    path("--csv", "the table"),
    path("--html", "the table for Snakemake's report"),
)
def job_costs(args: argparse.Namespace) -> None:
    from proxy_attention.report.job_costs import write_job_costs

    write_job_costs(args.benchmarks, args.csv, args.html)
