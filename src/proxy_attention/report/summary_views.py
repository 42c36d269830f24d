"""Views that summarise a grid of any size against its controls (proxy run minus its control).

Seeds (with folds: (fold, seed) pairs) are the unit throughout: every view first averages the
paired gains of one seed over the settings it pools, then takes the mean and Student-t interval
of those per-seed values and a one-sample t-test against zero (the corrected resampled t-test
with folds). A seed's proxy runs share one control run, so the gains of a
seed are not independent; averaging within the seed first keeps that from looking like more
evidence than the seeds give. Families of tests are Holm-adjusted (report/stats.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from proxy_attention.report.labels import proxy_settings_label
from proxy_attention.report.stats import NO_SPREAD, holm_adjusted, run_overlaps, summarise
from proxy_attention.report.views import control_variant

# Proxy settings a grid may vary, with their names in the thesis.
FACTORS = {
    "threshold": r"threshold $\tau$",
    "weight": r"weight $\lambda$",
    "subset": r"subset $\rho$",
    "clear_every_step": "clear every step",
    "schedule": "schedule",
    "method": "method",
    "mode": "mode",
}
ALL_DATASETS = "all datasets"
STAT_COLUMNS = ["n", "mean_diff", "ci_low", "ci_high", "p"]


def varying_factors(pairs: pd.DataFrame) -> list[str]:
    return [name for name in FACTORS if pairs[name].nunique() > 1]


def over_seeds(
    pairs: pd.DataFrame, by: list[str], confidence: float, value: str = "accuracy_gain"
) -> pd.DataFrame:
    """Per group of ``by``: average ``value`` within each (fold, seed), then over those the
    mean, its Student-t interval and a one-sample t-test against zero (stats.mean_ci's
    interval). Folds share most of their training data, so with folds the variance of the mean
    is the corrected resampled t-test's, s^2 (1/J + n_test/n_train) (stats.fold_overlap).

    Equal per-seed values leave no spread to estimate: test accuracies are counts of correct
    images, so three seeds can differ by exactly the same count, and a t-test would call that
    p = 0. Such groups get no p (and so are never significant) and a zero-width interval.
    Vectorised over groups: the thesis grid has 7,200 variants.
    """
    if "fold" not in pairs:  # tables of runs made before folds existed
        pairs = pairs.assign(fold=-1)
    pairs = pairs.assign(overlap=run_overlaps(pairs))
    replicates = pairs.groupby([*by, "fold", "seed"], sort=True)[[value, "overlap"]].mean()
    grouped = replicates.groupby(level=list(range(len(by))), sort=True)
    table = pd.DataFrame(
        {
            "n": grouped.size(),
            "mean_diff": grouped[value].mean(),
            "sd": grouped[value].std(),
            "overlap": grouped["overlap"].mean(),
        }
    )
    n, mean, sd = table["n"].to_numpy(), table["mean_diff"].to_numpy(), table["sd"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(n > 1, n - 1, np.nan)
        se = sd * np.sqrt(1.0 / n + table["overlap"].to_numpy())
        half = stats.t.ppf(0.5 + confidence / 2.0, df) * se
        t_stat = np.where(sd > NO_SPREAD, mean / se, np.nan)
    table["ci_low"], table["ci_high"] = mean - half, mean + half
    table["p"] = 2.0 * stats.t.sf(np.abs(t_stat), df)
    return table.drop(columns=["sd", "overlap"]).reset_index()[[*by, *STAT_COLUMNS]]


def chosen_settings(runs: pd.DataFrame, pairs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Per control group: the control, and the proxy variant with the best mean validation
    accuracy, with its test gain over the control, interval, p and Holm-adjusted p (over the
    groups). Choosing on validation leaves the test set unused by the choice."""
    pairs = pairs.assign(group=control_variant(pairs))
    validation = pairs.groupby(["group", "variant"])["final_val_accuracy"].mean().reset_index()
    best = validation.loc[validation.groupby("group")["final_val_accuracy"].idxmax()]
    controls = runs[~runs["proxy"].astype(bool)]
    rows = []
    for group, variant in zip(best["group"], best["variant"], strict=True):
        chosen = pairs[pairs["variant"] == variant]
        control = controls[controls["variant"] == group]
        # summarise: over folds, the corrected resampled interval
        mean, low, high = summarise(control, ["variant"], "test_accuracy", confidence).iloc[0][
            ["mean", "ci_low", "ci_high"]
        ]
        gain = over_seeds(chosen, ["variant"], confidence).iloc[0]
        first = chosen.iloc[0]
        rows.append(
            {
                "group": group,
                "variant": variant,
                "label": first["label"],
                "proxy_label": proxy_settings_label(first),
                **{c: first[c] for c in ("dataset", "model", "augmentation", *FACTORS)},
                "control_mean": mean,
                "control_low": low,
                "control_high": high,
                "chosen_mean": chosen["test_accuracy"].mean(),
                "candidates": int((validation["group"] == group).sum()),
                **{c: gain[c] for c in STAT_COLUMNS},
            }
        )
    table = pd.DataFrame(rows)
    table["p_holm"] = holm_adjusted(table["p"])
    return table


def main_effects(pairs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Per varying proxy setting and value: the paired gain averaged over every other setting,
    model (and dataset, in scope "all datasets"), seeds as the unit. Holm within each scope."""
    scopes = [(ALL_DATASETS, pairs)]
    if pairs["dataset"].nunique() > 1:
        scopes += list(pairs.groupby("dataset", sort=True))
    tables = []
    for scope, subset in scopes:
        parts = []
        for factor in varying_factors(pairs):
            table = over_seeds(subset, [factor], confidence).rename(columns={factor: "level"})
            parts.append(table.assign(factor=factor, level=table["level"].astype(str)))
        if not parts:
            return pd.DataFrame(columns=["scope", "factor", "level", *STAT_COLUMNS, "p_holm"])
        scoped = pd.concat(parts, ignore_index=True).assign(scope=scope)
        scoped["p_holm"] = holm_adjusted(scoped["p"])
        tables.append(scoped)
    effects = pd.concat(tables, ignore_index=True)
    return effects[["scope", "factor", "level", *STAT_COLUMNS, "p_holm"]]


def threshold_weight_cells(pairs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Paired gain per dataset, model, augmentation, threshold and weight, averaged over the
    other settings within each seed; Holm over every cell of every panel."""
    cells = over_seeds(
        pairs, ["dataset", "model", "augmentation", "threshold", "weight"], confidence
    )
    cells["p_holm"] = holm_adjusted(cells["p"])
    return cells


def variant_table(pairs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Every proxy variant: its settings, mean validation and test accuracy, the paired test
    gain over its control with interval and p, and p Holm-adjusted over all variants."""
    keys = ["variant", "label", "dataset", "model", "augmentation", *FACTORS]
    table = over_seeds(pairs, ["variant"], confidence)
    means = pairs.groupby("variant").agg(
        **{c: (c, "first") for c in keys if c != "variant"},
        val_accuracy=("final_val_accuracy", "mean"),
        test_accuracy=("test_accuracy", "mean"),
        control_accuracy=("control_accuracy", "mean"),
    )
    table = means.reset_index().merge(table, on="variant", validate="one_to_one")
    table["p_holm"] = holm_adjusted(table["p"])
    return table.rename(columns={"mean_diff": "gain"})


def significant(table: pd.DataFrame, alpha: float) -> pd.Series:
    return table["p_holm"].fillna(1.0) < alpha
