"""thesis/generated/leak.tex: the original protocol's re-split leak, measured on twin runs.

The original implementation drew a fresh train/validation split after every proxy round and
reported validation accuracy, so its validation images had mostly been trained on. Its number
is ``reported_accuracy`` in runs.csv (the last epoch's validation accuracy, on that round's
split); the true one is test accuracy. grid.leak_check trains every such run twice, with the
split fixed and re-drawn, on the same seeds, so the leak is the paired difference of the
reported-minus-true gaps of the twins.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from proxy_attention.atomic import write_text
from proxy_attention.layout import REPORT_TEX
from proxy_attention.report.aggregate import RUNS
from proxy_attention.report.latex import booktabs_table, escape
from proxy_attention.report.stats import (
    fold_count,
    fold_overlap,
    minimum_detectable_effect,
    paired_difference,
)
from proxy_attention.report.templates import LEAK_WORDS, phrase

LEAK_TEX = REPORT_TEX["leak"]
RESPLIT_SUFFIX = "-resplit/"  # the end of a re-split run's proxy token (fold~ or seed~ follows)


def leak_twins(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per seed of a re-split run whose fixed-split twin (same id without -resplit)
    exists: both runs' reported (validation) and test accuracy, and their gaps."""
    resplit = runs[runs["run_id"].str.contains(RESPLIT_SUFFIX, regex=False)].copy()
    resplit["twin_id"] = resplit["run_id"].str.replace(RESPLIT_SUFFIX, "/", regex=False)
    fixed = runs.set_index("run_id")
    resplit = resplit[resplit["twin_id"].isin(fixed.index)]
    twin = fixed.loc[resplit["twin_id"]]
    return pd.DataFrame(
        {
            "twin_variant": twin["variant"].to_numpy(),
            "label": twin["label"].to_numpy(),
            "seed": resplit["seed"].to_numpy(),
            # Twins of one fold are paired within the fold; the folds overlap (stats.fold_overlap).
            "fold": resplit["fold"].to_numpy() if "fold" in resplit else -1,
            "train_size": resplit["train_size"].to_numpy() if "train_size" in resplit else 1,
            "val_size": resplit["val_size"].to_numpy() if "val_size" in resplit else 0,
            "fixed_reported": twin["reported_accuracy"].to_numpy(),
            "fixed_test": twin["test_accuracy"].to_numpy(),
            "resplit_reported": resplit["reported_accuracy"].to_numpy(),
            "resplit_test": resplit["test_accuracy"].to_numpy(),
            "fixed_seen": twin["reported_val_seen_in_training"].to_numpy(),
            "resplit_seen": resplit["reported_val_seen_in_training"].to_numpy(),
        }
    )


def leak_summary(twins: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Per twin variant: the gap reported - test of each protocol with its paired t-interval,
    and the leak (re-split gap - fixed gap, paired by seed) with its p and detectable effect."""
    rows = []
    for variant, group in twins.groupby("twin_variant", sort=True):
        overlap = fold_overlap(group)
        fixed = paired_difference(group["fixed_reported"], group["fixed_test"], confidence, overlap)
        resplit = paired_difference(
            group["resplit_reported"], group["resplit_test"], confidence, overlap
        )
        gaps = (group["resplit_reported"] - group["resplit_test"]) - (
            group["fixed_reported"] - group["fixed_test"]
        )
        leak = paired_difference(gaps, [0.0] * len(gaps), confidence, overlap)
        rows.append(
            {
                "twin_variant": variant,
                "label": group["label"].iloc[0],
                "n": len(group),
                **{f"fixed_{k}": v for k, v in fixed.items() if k != "n"},
                **{f"resplit_{k}": v for k, v in resplit.items() if k != "n"},
                **{f"leak_{k}": v for k, v in leak.items() if k != "n"},
                "leak_mde": minimum_detectable_effect(gaps, 1.0 - confidence, overlap=overlap),
                "folds": fold_count(group),
                **group[["fixed_reported", "fixed_test", "resplit_reported", "resplit_test"]]
                .mean()
                .add_prefix("mean_"),
                "fixed_seen": group["fixed_seen"].mean(),
                "resplit_seen": group["resplit_seen"].mean(),
            }
        )
    return pd.DataFrame(rows)


def _points(value: float) -> str:
    return "--" if pd.isna(value) else f"{100 * value:+.1f}"


def _percent(row, column: str) -> str:
    return f"{100 * getattr(row, column):.1f}"


def _gap(mean: float, low: float, high: float) -> str:
    if pd.isna(low):
        return _points(mean)
    return f"{_points(mean)} [{_points(low)}, {_points(high)}]"


def leak_table(summary: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Two rows per twin variant, fixed split first; cells are LaTeX."""
    gap_heading = f"Reported minus test, points [{100 * confidence:g}% CI]"
    rows = []
    for row in summary.itertuples(index=False):
        for protocol, prefix, seen in (
            ("fixed split", "fixed", row.fixed_seen),
            ("re-split each round", "resplit", row.resplit_seen),
        ):
            rows.append(
                {
                    "Variant": escape(row.label),
                    "Protocol": protocol,
                    "Seeds": row.n,
                    "Reported (val.) acc., %": _percent(row, f"mean_{prefix}_reported"),
                    "Test acc., %": _percent(row, f"mean_{prefix}_test"),
                    gap_heading: _gap(
                        getattr(row, f"{prefix}_mean_diff"),
                        getattr(row, f"{prefix}_ci_low"),
                        getattr(row, f"{prefix}_ci_high"),
                    ),
                    "Val. images trained on, %": "--" if pd.isna(seen) else f"{100 * seen:.0f}",
                }
            )
    return pd.DataFrame(rows)


def _gap_points(row: pd.Series, prefix: str) -> dict:
    """A gap's mean and interval in signed points; no interval for one seed."""
    low, high = row[f"{prefix}_ci_low"], row[f"{prefix}_ci_high"]
    bounds = (
        {"low": None, "high": None}
        if pd.isna(low)
        else {"low": _points(low), "high": _points(high)}
    )
    return {"mean": _points(row[f"{prefix}_mean_diff"]), **bounds}


def twin_findings(row: pd.Series, confidence: float) -> dict:
    """What one twin pair shows, as the template's sentence() reads it."""
    p, mde = row["leak_p"], row["leak_mde"]
    return {
        "label": escape(row["label"]),
        "n": row["n"],
        # Folds overlap: their twins are compared with the corrected resampled t-test.
        "folds": int(row["folds"]) if row.get("folds", 0) > 0 else 0,
        "level": f"{100 * confidence:g}",
        **{prefix: _gap_points(row, prefix) for prefix in ("resplit", "fixed", "leak")},
        "p": None if pd.isna(p) else ("< 0.001" if p < 0.001 else f"= {p:.3f}"),
        "detected": bool(not pd.isna(p) and p < 1.0 - confidence and row["leak_mean_diff"] > 0),
        "mde": None if math.isnan(mde) else f"{100 * mde:.1f}",
    }


def leak_sentence(row: pd.Series, confidence: float) -> str:
    """What one twin pair shows, in words, with its numbers."""
    return phrase(LEAK_WORDS, "sentence", t=twin_findings(row, confidence))


def leak_tex(runs: pd.DataFrame, confidence: float, results_dir: Path) -> str:
    """The table and sentences, or a comment when the build has no re-split twins."""
    source = f"{Path(results_dir) / RUNS}"
    twins = leak_twins(runs)
    if twins.empty:
        return f"% {source} holds no re-split twins (grid.leak_check is empty)\n"
    summary = leak_summary(twins, confidence)
    table = booktabs_table(
        leak_table(summary, confidence),
        caption=phrase(LEAK_WORDS, "caption", level=f"{100 * confidence:g}"),
        label="tab:leak",
        source_note=source,
        column_format="llrrrrr",
    )
    sentences = " ".join(leak_sentence(row, confidence) for _, row in summary.iterrows())
    return "\n".join([phrase(LEAK_WORDS, "lead"), "", table, sentences, ""])


def write_leak(
    runs: pd.DataFrame, confidence: float, results_dir: str | Path, out_dir: str | Path
) -> None:
    """Write ``out_dir``/leak.tex from the labelled runs table."""
    write_text(Path(out_dir) / LEAK_TEX, leak_tex(runs, confidence, Path(results_dir)))
