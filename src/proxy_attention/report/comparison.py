"""Proxy variants against their controls: paired differences over seeds, with Holm-adjusted
p-values and minimum detectable effects, and the proxy step's own measured cost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from proxy_attention.layout import result_figure
from proxy_attention.report import result_figures
from proxy_attention.report.findings import p_text, points, verdict
from proxy_attention.report.latex import booktabs_table, escape, figure, ragged
from proxy_attention.report.stats import (
    fold_count,
    fold_overlap,
    holm_adjusted,
    minimum_detectable_effect,
    paired_difference,
)
from proxy_attention.report.templates import EVALUATION_WORDS, phrase
from proxy_attention.report.views import HYPERPARAMETERS

SETTING = ["dataset", "model", "augmentation", "resplit_each_round"]


def paired_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Each proxy run next to its control (same seed, proxy step off), with the difference."""
    proxy = runs[runs["proxy"].astype(bool)]
    controls = runs.set_index("run_id")
    have_control = proxy["control_id"].isin(controls.index)
    pairs = proxy[have_control].copy()
    control = controls.loc[pairs["control_id"]]
    pairs["control_accuracy"] = control["test_accuracy"].to_numpy()
    pairs["accuracy_gain"] = pairs["test_accuracy"] - pairs["control_accuracy"]
    # Both times are measured inside this run; a difference of two jobs' wall times would mix
    # in scheduling, start-up and machine load (it even came out negative).
    pairs["proxy_share"] = pairs["proxy_seconds"] / (
        pairs["train_seconds"] + pairs["proxy_seconds"]
    )
    return pairs


def paired_summary(pairs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """One row per proxy variant: its mean paired difference over seeds with the t-interval,
    raw and Holm-adjusted p (over every comparison of the build), the minimum detectable
    effect at 80% power, the verdict, and the proxy step's time and share of training time."""
    rows = []
    for variant, group in pairs.groupby("variant", sort=True):
        overlap = fold_overlap(group)  # 0 without folds: the seeds' pairs are independent
        stats = paired_difference(
            group["test_accuracy"], group["control_accuracy"], confidence, overlap
        )
        rows.append(
            {
                "variant": variant,
                "label": group["label"].iloc[0],
                **{c: group[c].iloc[0] for c in [*SETTING, *HYPERPARAMETERS]},
                **stats,
                "mde": minimum_detectable_effect(
                    group["accuracy_gain"], 1.0 - confidence, overlap=overlap
                ),
                "folds": fold_count(group),
                "overlap": overlap,
                "proxy_seconds": group["proxy_seconds"].mean(),
                "proxy_share": group["proxy_share"].mean(),
                "proxy_images": group["proxy_images"].mean(),
            }
        )
    summary = pd.DataFrame(rows)
    if summary.empty:
        return summary
    summary["p_holm"] = holm_adjusted(summary["p"])
    summary["verdict"] = [
        verdict(m, p, 1.0 - confidence)
        for m, p in zip(summary["mean_diff"], summary["p_holm"], strict=True)
    ]
    return summary


def _points(value: float) -> str:
    return "--" if pd.isna(value) else escape(points(value))


def _p(value: float) -> str:
    return "--" if pd.isna(value) else p_text(value).replace("= ", "").replace("< ", "<")


def paired_table(summary: pd.DataFrame, confidence: float, source: str) -> str:
    level = f"{100 * confidence:g}"
    table = pd.DataFrame(
        {
            "Proxy variant": summary["label"].map(escape),
            "Seeds": summary["n"],
            f"Gain, points [{level}% CI]": [
                _points(m) + ("" if pd.isna(lo) else f" [{_points(lo)}, {_points(hi)}]")
                for m, lo, hi in zip(
                    summary["mean_diff"], summary["ci_low"], summary["ci_high"], strict=True
                )
            ],
            "p": summary["p"].map(_p),
            "Holm p": summary["p_holm"].map(_p),
            "Verdict": summary["verdict"],
            "Detectable": summary["mde"].map(lambda v: "--" if pd.isna(v) else f"{100 * v:.1f}"),
            "Proxy, s (share)": [
                f"{s:.1f} ({100 * f:.0f}\\%)"
                for s, f in zip(summary["proxy_seconds"], summary["proxy_share"], strict=True)
            ],
        }
    )
    folded = "folds" in summary and bool((summary["folds"] > 0).any())
    caption = phrase(
        EVALUATION_WORDS,
        "paired_caption",
        level=level,
        comparisons=len(summary),
        alpha=f"{1 - confidence:.2g}",
        folds=folded,
    )
    return booktabs_table(
        table,
        caption=caption,
        label="tab:paired",
        source_note=source,
        column_format=f"{ragged(0.24)}rrrr{ragged(0.13)}rr",
    )


def comparison_section(
    pairs: pd.DataFrame,
    summary: pd.DataFrame,
    confidence: float,
    figures_dir: Path,
    source: str,
    varied: tuple[str, ...],
) -> list[str]:
    """LaTeX for the paired table and the comparison figures (``pairs`` not empty), with one
    figure per proxy setting in ``varied`` (report/views.py: those the grid varies)."""
    level = f"{100 * confidence:g}"
    parts = [paired_table(summary, confidence, source)]
    gains = result_figures.gain_per_variant(pairs, confidence, figures_dir)
    parts.append(
        figure(
            result_figure(gains),
            phrase(EVALUATION_WORDS, "gain_variant_caption", level=level),
            "fig:gain-variant",
            source,
        )
    )
    cost = result_figures.cost_versus_gain(pairs, figures_dir)
    parts.append(
        figure(
            result_figure(cost),
            phrase(EVALUATION_WORDS, "cost_gain_caption"),
            "fig:cost-gain",
            source,
        )
    )
    for name in varied:
        pdf = result_figures.gain_by(summary, name, figures_dir)
        parts.append(
            figure(
                result_figure(pdf),
                phrase(EVALUATION_WORDS, "gain_by_caption", setting=escape(name.replace("_", " "))),
                f"fig:gain-{name}",
                source,
            )
        )
    return parts
