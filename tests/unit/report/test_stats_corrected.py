"""The corrected resampled t-test of overlapping folds (Nadeau and Bengio 2003), by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from proxy_attention.report.stats import (
    fold_overlap,
    minimum_detectable_effect,
    paired_difference,
    summarise,
)

# Five (fold, seed) pairs, 5 folds: the proxy run minus its control, in accuracy.
DIFFERENCES = [0.02, 0.04, 0.00, 0.03, 0.01]
# A fold validates on 288 images and trains on 1152: n_test / n_train = 0.25.
OVERLAP = 288 / 1152


def test_corrected_interval_matches_the_hand_worked_example():
    """mean = 0.02; deviations 0, 0.02, -0.02, 0.01, -0.01, so s^2 = 0.001 / 4 = 0.00025.
    Uncorrected: se = sqrt(0.00025 / 5) = 0.0070711. Corrected: the variance factor is
    1/J + n_test/n_train = 1/5 + 1/4 = 0.45, se = sqrt(0.00025 * 0.45) = 0.0106066.
    t(0.975, 4) = 2.776445, so the half-width is 2.776445 * 0.0106066 = 0.0294486:
    95% CI -0.0094486 to 0.0494486; t = 0.02 / 0.0106066 = 1.885618, p = 0.1324 with 4 df
    (uncorrected: t = 2.828427, p = 0.0474, an interval 0.0003676 to 0.0396324 that
    excludes 0)."""
    result = paired_difference(DIFFERENCES, [0.0] * 5, 0.95, overlap=OVERLAP)
    assert result["mean_diff"] == pytest.approx(0.02)
    assert result["ci_low"] == pytest.approx(-0.0094486, abs=1e-7)
    assert result["ci_high"] == pytest.approx(0.0494486, abs=1e-7)
    assert result["t"] == pytest.approx(1.885618, abs=1e-6)
    assert result["p"] == pytest.approx(0.1324, abs=1e-4)
    assert result["n"] == 5
    plain = paired_difference(DIFFERENCES, [0.0] * 5, 0.95)
    assert plain["ci_low"] == pytest.approx(0.0003676, abs=1e-7)
    assert plain["t"] == pytest.approx(2.828427, abs=1e-6)
    assert plain["p"] == pytest.approx(0.0474, abs=1e-4)


def test_the_detectable_effect_grows_with_the_standard_error():
    plain = minimum_detectable_effect(DIFFERENCES, 0.05)
    corrected = minimum_detectable_effect(DIFFERENCES, 0.05, overlap=OVERLAP)
    # se grows by sqrt(0.45 / 0.2) = sqrt(1 + 5 * 0.25) = 1.5
    assert corrected == pytest.approx(1.5 * plain)


def test_equal_differences_over_folds_give_no_test():
    result = paired_difference([0.01] * 4, [0.0] * 4, 0.95, overlap=OVERLAP)
    assert math.isnan(result["p"]) and result["ci_low"] == pytest.approx(0.01)


def test_overlap_is_the_fold_size_over_the_training_size_and_zero_without_folds():
    runs = pd.DataFrame({"fold": [0, 1], "val_size": [288, 287], "train_size": [1152, 1153]})
    assert fold_overlap(runs) == pytest.approx((288 / 1152 + 287 / 1153) / 2)
    assert fold_overlap(runs.assign(fold=-1)) == 0.0
    assert fold_overlap(runs.drop(columns="fold")) == 0.0


def test_a_mean_over_folds_gets_the_corrected_interval_too():
    """Test accuracies 0.80, 0.82, 0.84, 0.81, 0.83 on five folds: mean 0.82, s^2 = 0.00025
    as above, so the half-width is 2.776445 * sqrt(0.00025 * 0.45) = 0.0294486."""
    runs = pd.DataFrame(
        {
            "variant": ["v"] * 5,
            "test_accuracy": [0.80, 0.82, 0.84, 0.81, 0.83],
            "fold": [0, 1, 2, 3, 4],
            "val_size": [288] * 5,
            "train_size": [1152] * 5,
        }
    )
    row = summarise(runs, ["variant"], "test_accuracy", 0.95).iloc[0]
    assert row["mean"] == pytest.approx(0.82)
    assert row["ci_low"] == pytest.approx(0.82 - 0.0294486, abs=1e-7)
    plain = summarise(runs.assign(fold=-1), ["variant"], "test_accuracy", 0.95).iloc[0]
    assert plain["ci_high"] == pytest.approx(0.82 + 2.776445 * 0.0070711, abs=1e-6)
