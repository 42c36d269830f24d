"""Statistics of a fair multi-seed comparison: mean with Student-t CI, paired differences."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestPower

# Differences of accuracies that differ by the same count of images are equal only up to float
# rounding (1e-16); accuracies resolve 1e-6 at best (a million test images).
NO_SPREAD = 1e-9


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): mean and two-sided Student-t confidence interval over seeds.

    A single seed gives no interval: (value, nan, nan). Identical values give a zero-width one.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        raise ValueError("mean_ci needs at least one value")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    mean = float(x.mean())
    if x.size == 1:
        return mean, math.nan, math.nan
    sem = float(x.std(ddof=1)) / math.sqrt(x.size)
    # t.ppf * sem rather than t.interval: scipy returns nan for scale 0 (identical values).
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df=x.size - 1)) * sem
    return mean, mean - half, mean + half


def paired_difference(
    treated: Sequence[float],
    control: Sequence[float],
    confidence: float = 0.95,
    overlap: float = 0.0,
) -> dict[str, float | int]:
    """Paired comparison over the same seeds: mean of treated - control, its CI, paired t-test.

    Returns keys mean_diff, ci_low, ci_high, t, p, n. With one pair, or all differences equal,
    t and p are nan: no spread to estimate, so no test. Accuracies count whole test images,
    so three seeds can differ from their controls by exactly the same count, where a t-test
    would answer p = 0 (about one variant in 500 of the simulated thesis grid).
    ``overlap`` > 0 (n_test / n_train of cross-validation folds, see fold_overlap) gives the
    corrected resampled t-test instead (corrected_paired_difference).
    """
    a, b = np.asarray(treated, dtype=float), np.asarray(control, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values need equal lengths, got {a.size} and {b.size}")
    if overlap > 0.0:
        return corrected_paired_difference(a - b, overlap, confidence)
    mean, low, high = mean_ci(a - b, confidence)
    t_stat = p_value = math.nan
    if a.size > 1 and float(np.std(a - b)) > NO_SPREAD:
        # scipy warns (and answers nan or inf) when the differences have zero spread.
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            res = stats.ttest_rel(a, b)
        t_stat, p_value = float(res.statistic), float(res.pvalue)
    return {
        "mean_diff": mean,
        "ci_low": low,
        "ci_high": high,
        "t": t_stat,
        "p": p_value,
        "n": int(a.size),
    }


def corrected_paired_difference(
    differences: Sequence[float], overlap: float, confidence: float = 0.95
) -> dict[str, float | int]:
    """The corrected resampled t-test (Nadeau and Bengio 2003) over J paired differences whose
    training sets overlap, as cross-validation folds' do: the variance of their mean is
    s^2 (1/J + n_test/n_train) rather than s^2 / J, with ``overlap`` = n_test/n_train; the
    interval and p use Student's t with J - 1 degrees of freedom. Same keys as
    paired_difference; no spread or one pair gives no test."""
    d = np.asarray(differences, dtype=float)
    mean, low, high, t_stat, p_value = float(d.mean()), math.nan, math.nan, math.nan, math.nan
    if d.size > 1:
        se = float(d.std(ddof=1)) * math.sqrt(1.0 / d.size + overlap)
        half = float(stats.t.ppf(0.5 + confidence / 2.0, df=d.size - 1)) * se
        low, high = mean - half, mean + half
        if float(np.std(d)) > NO_SPREAD:
            t_stat = mean / se
            p_value = float(2.0 * stats.t.sf(abs(t_stat), df=d.size - 1))
    return {"mean_diff": mean, "ci_low": low, "ci_high": high, "t": t_stat, "p": p_value,
            "n": int(d.size)}  # fmt: skip


def fold_overlap(runs: pd.DataFrame) -> float:
    """n_test / n_train of the corrected resampled t-test for these runs: the mean over runs
    with a fold of their validation-fold size over their training size; 0 where no run has a
    fold (independent seeds need no correction)."""
    overlaps = run_overlaps(runs)
    folded = overlaps[overlaps > 0]
    return float(folded.mean()) if folded.size else 0.0


def run_overlaps(runs: pd.DataFrame) -> np.ndarray:
    """Each run's n_test / n_train (its validation fold over its training set), 0 for a run
    without a fold: the term the corrected resampled variance adds to 1/J."""
    if "fold" not in runs or "val_size" not in runs:
        return np.zeros(len(runs))
    ratio = (runs["val_size"] / runs["train_size"]).to_numpy(dtype=float)
    return np.where(runs["fold"].to_numpy() >= 0, ratio, 0.0)


def fold_count(runs: pd.DataFrame) -> int:
    """How many cross-validation folds these runs cover: 0 without folds."""
    if "fold" not in runs:
        return 0
    return int(runs.loc[runs["fold"] >= 0, "fold"].nunique())


def summarise(
    df: pd.DataFrame,
    by: list[str],
    value: str,
    confidence: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """One tidy row per group of ``by``: n, mean, ci_low, ci_high of ``value`` (NaNs dropped).

    ``bounds`` (lower, upper) clips the intervals of a bounded metric such as an accuracy, whose
    t-interval over two or three seeds can otherwise reach past 100%.
    The interval is mean_ci's, computed for all groups at once: the thesis grid has 7,230
    variants, and one mean_ci call per group took a minute of the report. Runs of
    cross-validation folds share training data: their interval is the corrected resampled
    one, s^2 (1/n + n_test/n_train) (corrected_paired_difference).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    kept = df.dropna(subset=[value])
    kept = kept.assign(_overlap=run_overlaps(kept))
    grouped = kept.groupby(by, sort=True)
    table = pd.DataFrame(
        {
            "n": grouped[value].size(),
            "mean": grouped[value].mean(),
            "sd": grouped[value].std(),
            "overlap": grouped["_overlap"].mean(),
        }
    )
    n = table["n"].to_numpy()
    with np.errstate(invalid="ignore"):
        quantile = stats.t.ppf(0.5 + confidence / 2.0, np.where(n > 1, n - 1, np.nan))
    # Over folds, the corrected resampled variance (fold_overlap); 1/n alone otherwise.
    half = quantile * table["sd"].to_numpy() * np.sqrt(1.0 / n + table["overlap"].to_numpy())
    low, high = table["mean"].to_numpy() - half, table["mean"].to_numpy() + half
    if bounds is not None:  # clip_interval's rule, for every group at once (NaN stays NaN)
        low, high = np.clip(low, *bounds), np.clip(high, *bounds)
    table["ci_low"], table["ci_high"] = low, high
    return table.reset_index()[[*by, "n", "mean", "ci_low", "ci_high"]]


def t_errorbar(confidence: float, bounds: tuple[float, float] | None = None):
    """A seaborn ``errorbar`` callable drawing the same Student-t interval as the tables.

    seaborn's own ``("ci", 95)`` is a bootstrap interval, which over three seeds is about their
    min-max range; figures and tables must show one kind of interval. ``bounds`` clips it to a
    bounded metric's range, as the tables do.
    """

    def interval(values: Sequence[float]) -> tuple[float, float]:
        _, low, high = mean_ci(values, confidence)
        return clip_interval(low, high, *bounds) if bounds else (low, high)

    return interval


def holm_adjusted(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (statsmodels), NaN where no test was possible."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, math.nan)
    tested = ~np.isnan(p)
    if tested.any():
        adjusted[tested] = multipletests(p[tested], method="holm")[1]
    return adjusted


def minimum_detectable_effect(
    differences: Sequence[float], alpha: float, power: float = 0.8, overlap: float = 0.0
) -> float:
    """The smallest mean paired difference a two-sided paired t-test at ``alpha`` detects with
    ``power``, for this many seeds and the observed spread of the differences. With ``overlap``
    (folds, see corrected_paired_difference) the standard error grows by sqrt(1 + J overlap),
    and so does the detectable effect.

    NaN with fewer than two pairs (no spread), 0 when the differences do not vary at all.
    """
    d = np.asarray(differences, dtype=float)
    if d.size < 2:
        return math.nan
    spread = float(d.std(ddof=1))
    if spread == 0.0:
        return 0.0
    # A paired t-test is a one-sample t-test on the differences: solve for Cohen's d.
    effect = TTestPower().solve_power(
        nobs=d.size, alpha=alpha, power=power, alternative="two-sided"
    )
    return float(effect) * spread * math.sqrt(1.0 + d.size * overlap)


def clip_interval(
    low: float, high: float, lower: float | None = None, upper: float | None = None
) -> tuple[float, float]:
    """A t-interval of a bounded metric clipped to the metric's range (NaN stays NaN)."""
    if lower is not None:
        low, high = max(low, lower), max(high, lower)
    if upper is not None:
        low, high = min(low, upper), min(high, upper)
    return low, high
