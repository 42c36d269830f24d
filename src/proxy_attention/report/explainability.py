"""thesis/generated/explainability.tex: faithfulness per variant, a booktabs table and a figure."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from proxy_attention.atomic import write_text
from proxy_attention.report.aggregate import EXPLAIN_COLUMNS, RUNS
from proxy_attention.report.figures import plt, save_figure, seed_points, sns
from proxy_attention.report.latex import escape, figure, mean_interval
from proxy_attention.report.stats import summarise
from proxy_attention.report.summary_tex import listing

EXPLAINABILITY_TEX = "explainability.tex"
FIGURE_NAME = "explainability"
FIGURE_VARIANTS = 30
# (column, heading, better direction, shown in percent)
METRICS = [
    ("deletion_auc", "Deletion AUC", "lower", False),
    ("insertion_auc", "Insertion AUC", "higher", False),
    ("average_drop", "Average drop, %", "lower", True),
    ("increase_in_confidence", "Increase in confidence, %", "higher", True),
]


def _interval(mean: float, low: float, high: float, percent: bool) -> str:
    if percent:
        return mean_interval(mean, low, high)
    if math.isnan(low):
        return f"{mean:.3f}"
    return f"{mean:.3f} [{low:.3f}, {high:.3f}]"


def explainability_table(runs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """One row per variant label: seeds, then mean [CI] of each metric, formatted for LaTeX."""
    table = None
    for column, heading, _, percent in METRICS:
        summary = summarise(runs, ["label"], column, confidence)
        cells = pd.DataFrame(
            {
                "label": summary["label"],
                "Seeds": summary["n"],
                heading: [
                    _interval(m, lo, hi, percent)
                    for m, lo, hi in zip(
                        summary["mean"], summary["ci_low"], summary["ci_high"], strict=True
                    )
                ],
            }
        )
        table = cells if table is None else table.merge(cells.drop(columns="Seeds"), on="label")
    table.insert(0, "Variant", table.pop("label").map(escape))
    return table


def explainability_figure(runs: pd.DataFrame, out_dir: Path, name: str = FIGURE_NAME) -> str:
    """Each metric per variant: every seed a dot, the mean with its 95% CI; return the PDF name."""
    sns.set_theme(style="whitegrid", context="paper")
    order = sorted(runs["label"].unique())
    fig, axes = plt.subplots(
        1, len(METRICS), figsize=(2.3 * len(METRICS), 0.8 + 0.4 * len(order)), sharey=True
    )
    for ax, (column, heading, better, _) in zip(axes, METRICS, strict=True):
        seed_points(ax, runs, column, order)
        ax.set_xlabel(f"{heading.split(',')[0].lower()}\n({better} is better)")
        ax.set_ylabel("")
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


def explainability_tex(
    runs: pd.DataFrame, confidence: float, results_dir: Path, figures_dir: Path
) -> str:
    """The table and figure LaTeX, or a comment when runs.csv holds no explanation metrics."""
    source = f"{results_dir / RUNS}"
    if not set(EXPLAIN_COLUMNS) <= set(runs.columns) or runs[EXPLAIN_COLUMNS].isna().all().all():
        return f"% {source} holds no explanation metrics (the explain step did not run)\n"
    measured = runs.dropna(subset=EXPLAIN_COLUMNS)
    method = escape(", ".join(sorted(measured["explain_method"].unique())))
    images = int(measured["explain_images"].max())
    level = f"{100 * confidence:g}"
    table = listing(
        explainability_table(measured, confidence),
        caption=(
            f"Faithfulness of the {method} maps of each variant's models on up to {images} "
            f"test images: mean over seeds with the {level}\\% confidence interval "
            "(Student's t). Lower deletion AUC and average drop, higher insertion AUC and "
            "increase in confidence mean more faithful maps."
        ),
        label="tab:explainability",
        size=r"\small",
        source_note=source,
        column_format="lrrrrr",
    )
    if measured["label"].nunique() > FIGURE_VARIANTS:
        return table  # one row per variant in a figure would run off the page
    pdf = explainability_figure(measured, figures_dir)
    plot = figure(
        f"generated/figures/{pdf}",
        f"Faithfulness of the {method} maps per variant: each seed as a dot, the mean "
        "with its 95\\% confidence interval.",
        "fig:explainability",
        source,
    )
    return "\n".join([table, plot])


def write_explainability(
    runs: pd.DataFrame, confidence: float, results_dir: str | Path, out_dir: str | Path
) -> None:
    """Write ``out_dir``/explainability.tex and its figure under ``out_dir``/figures."""
    out_dir = Path(out_dir)
    text = explainability_tex(runs, confidence, Path(results_dir), out_dir / "figures")
    write_text(out_dir / EXPLAINABILITY_TEX, text)
