"""Proxy variants against their controls: paired differences over seeds, cost next to gain."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from proxy_attention.report import figures
from proxy_attention.report.latex import booktabs_table, escape, figure
from proxy_attention.report.stats import paired_difference

HYPERPARAMETERS = [
    "method",
    "threshold",
    "weight",
    "subset",
    "clear_every_step",
    "mode",
    "schedule",
]


def paired_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Each proxy run next to its control (same seed, proxy step off), with the differences."""
    proxy = runs[runs["proxy"].astype(bool)]
    controls = runs.set_index("run_id")
    have_control = proxy["control_id"].isin(controls.index)
    pairs = proxy[have_control].copy()
    control = controls.loc[pairs["control_id"]]
    pairs["control_accuracy"] = control["test_accuracy"].to_numpy()
    pairs["accuracy_gain"] = pairs["test_accuracy"] - pairs["control_accuracy"]
    pairs["extra_seconds"] = pairs["wall_seconds"] - control["wall_seconds"].to_numpy()
    return pairs


def paired_summary(pairs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    rows = []
    for variant, group in pairs.groupby("variant", sort=True):
        stats = paired_difference(group["test_accuracy"], group["control_accuracy"], confidence)
        rows.append(
            {
                "variant": variant,
                "label": group["label"].iloc[0],
                **stats,
                "extra_seconds": group["extra_seconds"].mean(),
                "proxy_seconds": group["proxy_seconds"].mean(),
                "proxy_images": group["proxy_images"].mean(),
            }
        )
    return pd.DataFrame(rows)


def comparison_section(
    runs: pd.DataFrame, confidence: float, figures_dir: Path, source: str
) -> list[str]:
    """LaTeX for the paired table and the comparison figures; empty without proxy runs."""
    pairs = paired_runs(runs)
    if pairs.empty:
        return []
    summary = paired_summary(pairs, confidence)
    level = f"{100 * confidence:g}"

    def points(value: float) -> str:
        return "--" if pd.isna(value) else f"{100 * value:+.1f}"

    table = pd.DataFrame(
        {
            "Proxy variant": summary["label"].map(escape),
            "Seeds": summary["n"],
            f"Gain over control, points [{level}% CI]": [
                points(m) + ("" if pd.isna(lo) else f" [{points(lo)}, {points(hi)}]")
                for m, lo, hi in zip(
                    summary["mean_diff"], summary["ci_low"], summary["ci_high"], strict=True
                )
            ],
            "p (paired t)": summary["p"].map(lambda p: "--" if pd.isna(p) else f"{p:.3f}"),
            "Proxy images": summary["proxy_images"].map(lambda v: f"{v:.0f}"),
            "Extra time, s": summary["extra_seconds"].map(lambda v: f"{v:+.0f}"),
        }
    )
    parts = [
        booktabs_table(
            table,
            caption=(
                "Each proxy variant against its control (the same run with the proxy step "
                "off): mean paired difference in test accuracy over seeds, its "
                f"{level}\\% confidence interval and paired t-test, the proxy images made, and "
                "the extra wall time the proxy steps cost."
            ),
            label="tab:paired",
            source_note=source,
            column_format="lrrrrr",
        )
    ]
    cost = figures.cost_versus_gain(pairs, figures_dir)
    parts.append(
        figure(
            f"generated/figures/{cost}",
            "Accuracy gained over the control against the extra wall time spent, per "
            "seed; points above zero gained.",
            "fig:cost-gain",
            source,
        )
    )
    for name in HYPERPARAMETERS:
        if pairs[name].nunique() > 1:
            pdf = figures.gain_by(pairs, name, figures_dir)
            parts.append(
                figure(
                    f"generated/figures/{pdf}",
                    f"Accuracy gained over the control against the proxy "
                    f"{escape(name.replace('_', ' '))}, mean with its "
                    f"{level}\\% interval over seeds.",
                    f"fig:gain-{name}",
                    source,
                )
            )
    return parts
