"""metrics/: the build's results as DVC metrics and plots files.

`dvc metrics show|diff`, `dvc plots show` and the result columns of `dvc exp show` read these
files. They live outside every DVC `outs` folder (DVC refuses a metrics file inside one) and are
small text, kept in git (`cache: false`), so commits and experiments can be compared without
pulling the cache.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from proxy_attention.atomic import atomic_path, write_text
from proxy_attention.layout import DVC_METRICS as METRICS
from proxy_attention.layout import LEARNING_CURVES, TEST_ACCURACY
from proxy_attention.report.aggregate import EPOCHS, RUNS, read_tables
from proxy_attention.report.stats import (
    clip_interval,
    fold_count,
    fold_overlap,
    paired_difference,
    summarise,
)


def short_names(variants: list[str]) -> dict[str, str]:
    """Each variant id shortened to the path parts that differ between variants.

    ``digits/mobilenetv3_small_100/aug~basic/proxy~none`` next to ``.../aug~cutmix/...`` becomes
    ``aug~basic/proxy~none``: metric keys and `dvc exp show` columns stay readable. A part shared
    by all variants is dropped unless nothing would remain.
    """
    split = [variant.split("/") for variant in variants]
    width = min(len(parts) for parts in split)
    varying = [i for i in range(width) if len({parts[i] for parts in split}) > 1]
    keep = varying or [width - 1]
    names = {v: "/".join(p[i] for i in keep) for v, p in zip(variants, split, strict=True)}
    if len(set(names.values())) != len(names):  # differing lengths: keep the whole id
        return {variant: variant for variant in variants}
    return names


def _number(value: float) -> float | None:
    """JSON has no NaN (one seed gives no interval): DVC shows null as '-'."""
    return None if value is None or math.isnan(value) else float(value)


def variant_accuracy(runs: pd.DataFrame, confidence: float) -> dict[str, dict[str, Any]]:
    """Per variant: mean test accuracy over seeds with its Student-t interval (stats.summarise),
    clipped to [0, 1] as in the thesis' tables."""
    names = short_names(sorted(runs["variant"].unique()))
    result = {}
    for variant, group in runs.groupby("variant", sort=True):
        # summarise: mean_ci's interval, the corrected resampled one over folds
        row = summarise(group, ["variant"], "test_accuracy", confidence).iloc[0]
        low, high = clip_interval(row["ci_low"], row["ci_high"], 0.0, 1.0)
        mean = row["mean"]
        result[names[variant]] = {
            "mean": _number(mean),
            "ci_low": _number(low),
            "ci_high": _number(high),
            "seeds": int(group["seed"].nunique()),
            **_folds_entry(group),
        }
    return result


def _folds_entry(group: pd.DataFrame) -> dict[str, Any]:
    """With folds, their count and the (fold, seed) pairs behind the numbers (intervals over
    folds are the corrected resampled t-test's); nothing without folds."""
    folds = fold_count(group)
    return {"folds": folds, "pairs": len(group)} if folds else {}


def gain_over_control(runs: pd.DataFrame, confidence: float) -> dict[str, dict[str, Any]]:
    """Per proxy variant: paired difference in test accuracy to its control over the same seeds."""
    names = short_names(sorted(runs["variant"].unique()))
    accuracy = runs.set_index("run_id")["test_accuracy"]
    proxy = runs[runs["proxy"].astype(bool) & runs["control_id"].isin(accuracy.index)]
    result = {}
    for variant, group in proxy.groupby("variant", sort=True):
        control = accuracy.loc[group["control_id"]].to_numpy()
        # Folds overlap in their training data: the corrected resampled t-test (stats.py).
        stats = paired_difference(
            group["test_accuracy"].to_numpy(), control, confidence, fold_overlap(group)
        )
        result[names[variant]] = {key: _number(stats[key]) for key in stats if key != "n"}
        result[names[variant]]["seeds"] = int(group["seed"].nunique())
        result[names[variant]].update(_folds_entry(group))
    return result


def build_metrics(runs: pd.DataFrame, confidence: float) -> dict[str, Any]:
    return {
        "runs": len(runs),
        "confidence": confidence,
        "test_accuracy": variant_accuracy(runs, confidence),
        "gain_over_control": gain_over_control(runs, confidence),
    }


def learning_curves(epochs: pd.DataFrame) -> pd.DataFrame:
    """Validation accuracy per epoch and variant, the mean over seeds: one line per variant."""
    names = short_names(sorted(epochs["variant"].unique()))
    curves = epochs.groupby(["variant", "epoch"], sort=True, as_index=False)["val_accuracy"].mean()
    curves["variant"] = curves["variant"].map(names)
    return curves[["variant", "epoch", "val_accuracy"]]


def accuracy_points(runs: pd.DataFrame) -> pd.DataFrame:
    """Test accuracy of every run: one point per seed and variant."""
    names = short_names(sorted(runs["variant"].unique()))
    keys = ["variant", *(["fold"] if fold_count(runs) else []), "seed"]
    points = runs[[*keys, "test_accuracy"]].sort_values(keys)
    return points.assign(variant=points["variant"].map(names)).reset_index(drop=True)


def results_html(metrics: dict[str, Any]) -> str:
    """The metrics as two HTML tables, for Snakemake's report."""
    # to_numeric: the nulls of a missing interval become NaN, which na_rep shows as "-".
    accuracy = pd.DataFrame.from_dict(metrics["test_accuracy"], orient="index").apply(pd.to_numeric)
    gains = pd.DataFrame.from_dict(metrics["gain_over_control"], orient="index")
    gains = gains.apply(pd.to_numeric)
    level = f"{100 * metrics['confidence']:g}%"
    parts = [
        f"<h3>Test accuracy per variant (mean over seeds, {level} interval)</h3>",
        accuracy.to_html(float_format="{:.4f}".format, na_rep="-"),
    ]
    if not gains.empty:
        parts += [
            f"<h3>Gain over the control (paired difference, {level} interval)</h3>",
            gains.to_html(float_format="{:.4f}".format, na_rep="-"),
        ]
    return "\n".join(parts) + "\n"


def write_dvc_metrics(
    results_dir: str | Path, confidence: float, out_dir: str | Path, html: str | Path
) -> None:
    """metrics.json and the two plots files in ``out_dir``, the HTML tables at ``html``."""
    tables = read_tables(results_dir)
    out_dir = Path(out_dir)
    metrics = build_metrics(tables[RUNS], confidence)
    for name, frame in (
        (LEARNING_CURVES, learning_curves(tables[EPOCHS])),
        (TEST_ACCURACY, accuracy_points(tables[RUNS])),
    ):
        with atomic_path(out_dir / name) as tmp:
            frame.to_csv(tmp, index=False)
    write_text(html, results_html(metrics))
    write_text(out_dir / METRICS, json.dumps(metrics, indent=2, sort_keys=True) + "\n")
