"""thesis/generated/explainability.tex: faithfulness per variant, a booktabs table and a figure."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from proxy_attention.atomic import write_text
from proxy_attention.layout import REPORT_TEX, RESULT_FIGURES_FOLDER, result_figure
from proxy_attention.report.aggregate import EXPLAIN_COLUMNS, RUNS
from proxy_attention.report.latex import escape, figure
from proxy_attention.report.plotting import plt, save_figure, theme
from proxy_attention.report.result_figures import seed_points
from proxy_attention.report.stats import clip_interval, paired_difference, summarise
from proxy_attention.report.summary_tex import listing
from proxy_attention.report.templates import EXPLAINABILITY_WORDS, phrase
from proxy_attention.report.views import EXPLAINABILITY

EXPLAINABILITY_TEX = REPORT_TEX["explainability"]
FIGURE_NAME = EXPLAINABILITY  # drawn up to views.EXPLAINABILITY_VARIANTS variants
# (column, heading, better direction, shown in percent)
METRICS = [
    ("deletion_auc", "Deletion AUC", "lower", False),
    ("insertion_auc", "Insertion AUC", "higher", False),
    ("average_drop", "Average drop, %", "lower", True),
    ("increase_in_confidence", "Increase in confidence, %", "higher", True),
]


# Every metric is a mean of per-image values in [0, 1] (probabilities, fractions, indicators),
# so its t-interval is clipped to [0, 1] and a difference of two of them to [-1, 1].
METRIC_RANGE = (0.0, 1.0)
DIFFERENCE_RANGE = (-1.0, 1.0)
# Below this relative drop of the target probability, the baseline image removes almost
# nothing the model uses, and deletion AUC cannot differ from insertion AUC.
MIN_BASELINE_DROP = 0.1


def _interval(
    mean: float, low: float, high: float, percent: bool, bounds=METRIC_RANGE, sign: str = ""
) -> str:
    low, high = clip_interval(low, high, *bounds)
    if percent:
        if math.isnan(low):
            return f"{100 * mean:{sign}.1f}"
        return f"{100 * mean:{sign}.1f} [{100 * low:{sign}.1f}, {100 * high:{sign}.1f}]"
    if math.isnan(low):
        return f"{mean:{sign}.3f}"
    return f"{mean:{sign}.3f} [{low:{sign}.3f}, {high:{sign}.3f}]"


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


def paired_to_control(runs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Per proxy variant: each metric's mean paired difference proxy - control over seeds,
    with its t-interval clipped to [-1, 1], formatted for LaTeX."""
    if not {"run_id", "proxy", "control_id"} <= set(runs.columns):
        return pd.DataFrame()
    by_id = runs.set_index("run_id")
    proxy = runs[runs["proxy"].astype(bool) & runs["control_id"].isin(by_id.index)]
    rows = []
    for label, group in proxy.groupby("label", sort=True):
        control = by_id.loc[group["control_id"]]
        row = {"Proxy variant": escape(label), "Seeds": len(group)}
        for column, heading, _, percent in METRICS:
            diff = paired_difference(
                group[column].to_numpy(), control[column].to_numpy(), confidence
            )
            name = heading.replace(", %", ", points")
            row[f"{name} [CI]"] = _interval(
                diff["mean_diff"], diff["ci_low"], diff["ci_high"], percent, DIFFERENCE_RANGE, "+"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def baseline_sentence(runs: pd.DataFrame) -> str:
    """Whether the baseline removed what the models use: their target probability on the
    baseline image alone against the intact image, averaged over runs; a warning when not."""
    columns = ["explain_confidence", "explain_baseline_confidence"]
    if not set(columns) <= set(runs.columns) or runs[columns].isna().any().any():
        return ""
    intact, base = runs["explain_confidence"].mean(), runs["explain_baseline_confidence"].mean()
    sigma = runs.get("explain_blur_sigma_px", pd.Series(dtype=float)).dropna()
    found = {
        "sigma": f"{sigma.iloc[0]:.0f}" if len(sigma) else None,
        "base": f"{base:.3f}",
        "intact": f"{intact:.3f}",
        "removes": bool(intact > 0 and 1.0 - base / intact >= MIN_BASELINE_DROP),
    }
    return phrase(EXPLAINABILITY_WORDS, "baseline", b=found)


def explainability_figure(
    runs: pd.DataFrame, confidence: float, out_dir: Path, name: str = FIGURE_NAME
) -> str:
    """Each metric per variant: every seed a dot, the mean with its Student-t interval (the
    tables' interval, clipped to the metric's range); return the PDF name."""
    theme()
    order = sorted(runs["label"].unique())
    fig, axes = plt.subplots(
        1, len(METRICS), figsize=(2.3 * len(METRICS), 0.8 + 0.4 * len(order)), sharey=True
    )
    for ax, (column, heading, better, _) in zip(axes, METRICS, strict=True):
        seed_points(ax, runs, column, order, confidence, bounds=METRIC_RANGE)
        low, high = ax.get_xlim()  # no interval drawn beyond the metric's range
        ax.set_xlim(max(low, METRIC_RANGE[0]), min(high, METRIC_RANGE[1]))
        ax.set_xlabel(f"{heading.split(',')[0].lower()}\n({better} is better)")
        ax.set_ylabel("")
    fig.tight_layout()
    return save_figure(fig, out_dir, name)


def has_explanations(runs: pd.DataFrame) -> bool:
    """Whether runs.csv holds explanation metrics (the explain step ran)."""
    return set(EXPLAIN_COLUMNS) <= set(runs.columns) and runs[EXPLAIN_COLUMNS].notna().any().any()


def explainability_tex(
    runs: pd.DataFrame, confidence: float, results_dir: Path, figures_dir: Path, with_figure: bool
) -> str:
    """The table and figure LaTeX, or a comment when runs.csv holds no explanation metrics;
    the figure only ``with_figure`` (report/views.py: few enough variants for its rows)."""
    source = f"{results_dir / RUNS}"
    if not has_explanations(runs):
        return f"% {source} holds no explanation metrics (the explain step did not run)\n"
    measured = runs.dropna(subset=EXPLAIN_COLUMNS)
    method = escape(", ".join(sorted(measured["explain_method"].unique())))
    images = int(measured["explain_images"].max())
    level = f"{100 * confidence:g}"
    table = listing(
        explainability_table(measured, confidence),
        caption=phrase(
            EXPLAINABILITY_WORDS, "table_caption", method=method, images=images, level=level
        ),
        label="tab:explainability",
        size=r"\small",
        source_note=source,
        column_format="lrrrrr",
    )
    paired = paired_to_control(measured, confidence)
    if not paired.empty:
        table += "\n" + listing(
            paired,
            caption=phrase(EXPLAINABILITY_WORDS, "paired_caption", level=level),
            label="tab:explainability-paired",
            source_note=source,
            column_format="lrrrrr",
        )
    if not with_figure:
        # One row per variant in a figure would run off the page.
        return "\n".join([baseline_sentence(measured), "", table])
    pdf = explainability_figure(measured, confidence, figures_dir)
    plot = figure(
        result_figure(pdf),
        phrase(EXPLAINABILITY_WORDS, "figure_caption", method=method, level=level),
        "fig:explainability",
        source,
    )
    return "\n".join([baseline_sentence(measured), "", table, plot])


def write_explainability(
    runs: pd.DataFrame,
    confidence: float,
    results_dir: str | Path,
    out_dir: str | Path,
    with_figure: bool,
) -> None:
    """Write ``out_dir``/explainability.tex and, ``with_figure``, its figure under
    ``out_dir``/figures."""
    out_dir = Path(out_dir)
    text = explainability_tex(
        runs, confidence, Path(results_dir), out_dir / RESULT_FIGURES_FOLDER, with_figure
    )
    write_text(out_dir / EXPLAINABILITY_TEX, text)
