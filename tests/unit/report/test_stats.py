"""Multi-seed statistics against scipy computed independently and against hand formulas."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from proxy_attention.report.stats import (
    clip_interval,
    holm_adjusted,
    mean_ci,
    minimum_detectable_effect,
    paired_difference,
    summarise,
    t_errorbar,
)

ACCURACIES = [0.71, 0.74, 0.69, 0.73, 0.75]


def _t_quantile_df2(q: float) -> float:
    """Student t quantile, 2 degrees of freedom, from F(t) = 1/2 + t / (2 sqrt(2 + t^2))."""
    a = 2 * q - 1
    return math.sqrt(2 * a * a / (1 - a * a))


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_mean_ci_matches_scipy_interval(confidence):
    mean, low, high = mean_ci(ACCURACIES, confidence)
    ref = sps.t.interval(confidence, df=4, loc=np.mean(ACCURACIES), scale=sps.sem(ACCURACIES))
    assert mean == pytest.approx(0.724)
    assert (low, high) == pytest.approx(ref)


def test_mean_ci_by_hand_three_values():
    # mean 2, sample sd 1, sem 1/sqrt(3), t(0.975, df=2) = 4.3027
    mean, low, high = mean_ci([1.0, 2.0, 3.0])
    half = _t_quantile_df2(0.975) / math.sqrt(3)
    assert half == pytest.approx(2.4841, abs=1e-4)
    assert (mean, low, high) == pytest.approx((2.0, 2.0 - half, 2.0 + half))


def test_mean_ci_single_seed_has_no_interval():
    mean, low, high = mean_ci([0.8])
    assert mean == 0.8 and math.isnan(low) and math.isnan(high)


def test_mean_ci_identical_values_zero_width_and_empty_rejected():
    assert mean_ci([0.5, 0.5, 0.5]) == pytest.approx((0.5, 0.5, 0.5))
    with pytest.raises(ValueError):
        mean_ci([])


def test_paired_difference_matches_scipy():
    treated = [0.80, 0.82, 0.79, 0.85, 0.83]
    control = [0.78, 0.80, 0.80, 0.81, 0.80]
    res = paired_difference(treated, control)
    diffs = np.subtract(treated, control)
    ref = sps.ttest_rel(treated, control)
    low, high = sps.t.interval(0.95, df=4, loc=diffs.mean(), scale=sps.sem(diffs))
    assert res["n"] == 5
    assert res["mean_diff"] == pytest.approx(0.02)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((low, high))
    assert (res["t"], res["p"]) == pytest.approx((ref.statistic, ref.pvalue))


def test_paired_difference_by_hand_three_pairs():
    # differences 2, 3, 4: mean 3, sd 1, t = 3 / (1/sqrt 3) = 3 sqrt 3; df=2 two-sided p closed form
    res = paired_difference([3.0, 5.0, 7.0], [1.0, 2.0, 3.0])
    t = 3 * math.sqrt(3)
    half = _t_quantile_df2(0.975) / math.sqrt(3)
    assert res["t"] == pytest.approx(t)
    assert res["p"] == pytest.approx(1 - t / math.sqrt(2 + t * t))
    assert (res["mean_diff"], res["ci_low"], res["ci_high"]) == pytest.approx(
        (3.0, 3.0 - half, 3.0 + half)
    )
    assert res["n"] == 3


def test_paired_difference_of_equal_differences_makes_no_test():
    # 10 of 2,679 test images better in every seed, equal up to float rounding: no spread
    gain = 10 / 2679
    treated = np.array([gain, np.nextafter(gain, 1.0), np.nextafter(gain, 0.0)]) + 0.7
    res = paired_difference(treated, [0.7, 0.7, 0.7])
    assert math.isnan(res["t"]) and math.isnan(res["p"])
    assert res["mean_diff"] == pytest.approx(gain)


def test_paired_difference_rejects_unequal_lengths_and_single_pair_has_no_test():
    with pytest.raises(ValueError, match="equal lengths"):
        paired_difference([1.0, 2.0], [1.0])
    res = paired_difference([0.9], [0.8])
    assert res["mean_diff"] == pytest.approx(0.1)
    assert all(math.isnan(res[k]) for k in ("ci_low", "ci_high", "t", "p"))


def test_summarise_tidy_groups():
    df = pd.DataFrame(
        {
            "aug": ["cutmix"] * 3 + ["basic"] * 4,
            "proxy": [True, True, True, False, False, False, True],
            "acc": [1.0, 2.0, 3.0, 0.5, 0.7, np.nan, 0.9],
        }
    )
    out = summarise(df, by=["aug", "proxy"], value="acc")
    assert list(out.columns) == ["aug", "proxy", "n", "mean", "ci_low", "ci_high"]
    assert out[["aug", "proxy", "n"]].values.tolist() == [
        ["basic", False, 2],
        ["basic", True, 1],
        ["cutmix", True, 3],
    ]
    assert out.iloc[0][["mean", "ci_low", "ci_high"]].tolist() == pytest.approx(
        list(mean_ci([0.5, 0.7]))
    )
    assert out.iloc[1]["mean"] == 0.9 and math.isnan(out.iloc[1]["ci_low"])
    half = _t_quantile_df2(0.975) / math.sqrt(3)
    assert out.iloc[2][["mean", "ci_low", "ci_high"]].tolist() == pytest.approx(
        [2.0, 2.0 - half, 2.0 + half]
    )


def test_t_errorbar_is_the_tables_interval():
    interval = t_errorbar(0.95)
    assert interval([0.81, 0.85, 0.84]) == pytest.approx(mean_ci([0.81, 0.85, 0.84], 0.95)[1:])
    # Three seeds: the t-interval is wider than their range (a bootstrap would be about the range).
    low, high = interval([0.81, 0.85, 0.84])
    assert low < 0.80 and high > 0.87


def test_holm_adjusted_by_hand_with_an_untested_comparison():
    adjusted = holm_adjusted([0.01, 0.04, math.nan, 0.03])
    assert adjusted[[0, 1, 3]] == pytest.approx([0.03, 0.06, 0.06])
    assert math.isnan(adjusted[2])


def test_minimum_detectable_effect_reaches_the_asked_power():
    differences = [0.01, -0.004, 0.006, 0.002]
    alpha, n, sd = 0.05, 4, float(np.std(differences, ddof=1))
    effect = minimum_detectable_effect(differences, alpha, power=0.8)
    # Power of a two-sided paired t-test at that effect, from the noncentral t by hand.
    critical = sps.t.ppf(1 - alpha / 2, df=n - 1)
    shift = effect * math.sqrt(n) / sd
    power = sps.nct.sf(critical, n - 1, shift) + sps.nct.cdf(-critical, n - 1, shift)
    assert power == pytest.approx(0.8, abs=1e-4)
    assert math.isnan(minimum_detectable_effect([0.01], alpha))
    assert minimum_detectable_effect([0.01, 0.01], alpha) == 0.0


def test_clip_interval_keeps_bounded_metrics_in_range():
    assert clip_interval(0.93, 1.005, 0.0, 1.0) == (0.93, 1.0)
    assert clip_interval(-0.2, 0.1, lower=0.0) == (0.0, 0.1)
    low, high = clip_interval(math.nan, math.nan, 0.0, 1.0)
    assert math.isnan(low) and math.isnan(high)


def test_t_errorbar_clips_a_bounded_metric_like_the_tables():
    values = [0.55, 0.98]
    _, low, high = mean_ci(values, 0.95)
    assert high > 1.0  # two seeds: t = 12.7 reaches past 100%
    assert t_errorbar(0.95, (0.0, 1.0))(values) == (max(low, 0.0), 1.0)
