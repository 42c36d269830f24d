"""Summary views: seeds as the unit, the choice made on validation, listings by size."""

import numpy as np
import pandas as pd
import pytest

from proxy_attention.report.stats import holm_adjusted, mean_ci
from proxy_attention.report.summary_tex import APPENDIX_ROWS, listing
from proxy_attention.report.summary_views import (
    ALL_DATASETS,
    chosen_settings,
    main_effects,
    over_seeds,
)


def pair(dataset, threshold, seed, gain, val=0.5, weight=0.8):
    control = f"{dataset}/m/aug~basic/proxy~off-e6/seed~{seed}"
    return {
        "dataset": dataset, "model": "m", "augmentation": "basic", "seed": seed,
        "threshold": threshold, "weight": weight, "subset": 0.5, "clear_every_step": True,
        "schedule": "3 p 2", "method": "gradcampp", "mode": "blended",
        "variant": f"{dataset}/m/aug~basic/proxy~t{threshold}-w{weight}",
        "label": f"t{threshold}-w{weight}", "proxy_label": f"t{threshold}-w{weight}",
        "control_id": control, "accuracy_gain": gain, "control_accuracy": 0.7,
        "test_accuracy": 0.7 + gain, "final_val_accuracy": val,
    }  # fmt: skip


def test_main_effects_average_within_each_seed_first():
    # seed 0 has two runs at t=0.8 and one at t=0.4; a run-level mean would weight them 2:1
    rows = [
        pair("a", 0.8, 0, 0.01, weight=0.1), pair("a", 0.8, 0, 0.03, weight=0.2),
        pair("a", 0.8, 1, 0.05, weight=0.1), pair("a", 0.8, 1, 0.05, weight=0.2),
        pair("a", 0.8, 2, 0.04, weight=0.1), pair("a", 0.8, 2, 0.02, weight=0.2),
        pair("a", 0.4, 0, 0.00, weight=0.1), pair("a", 0.4, 1, 0.01, weight=0.1),
        pair("a", 0.4, 2, -0.01, weight=0.1), pair("a", 0.4, 0, 0.00, weight=0.2),
        pair("a", 0.4, 1, 0.01, weight=0.2), pair("a", 0.4, 2, -0.01, weight=0.2),
    ]  # fmt: skip
    effects = main_effects(pd.DataFrame(rows), 0.95)
    high = effects[(effects["factor"] == "threshold") & (effects["level"] == "0.8")].iloc[0]
    mean, low, high_ci = mean_ci([0.02, 0.05, 0.03], 0.95)
    assert high["n"] == 3 and high["mean_diff"] == pytest.approx(mean)
    assert (high["ci_low"], high["ci_high"]) == pytest.approx((low, high_ci))
    assert set(effects["scope"]) == {ALL_DATASETS}  # one dataset: no per-dataset scopes
    assert effects["p_holm"].to_numpy() == pytest.approx(holm_adjusted(effects["p"]))


def test_main_effects_are_holm_adjusted_within_each_scope():
    rows = [
        pair(d, t, s, 0.01 * s + (0.02 if t == 0.8 else 0.0))
        for d in "ab"
        for t in (0.4, 0.8)
        for s in range(3)
    ]  # noqa: E501
    effects = main_effects(pd.DataFrame(rows), 0.95)
    assert set(effects["scope"]) == {ALL_DATASETS, "a", "b"}
    for _, scoped in effects.groupby("scope"):
        assert scoped["p_holm"].to_numpy() == pytest.approx(holm_adjusted(scoped["p"]))


def test_the_chosen_setting_is_the_best_on_validation_not_on_test():
    rows = [pair("a", 0.4, s, 0.05, val=0.60) for s in range(3)]  # best on test
    rows += [pair("a", 0.8, s, 0.01 + 0.001 * s, val=0.65) for s in range(3)]  # best on val
    pairs = pd.DataFrame(rows)
    runs = pd.DataFrame(
        {
            "variant": "a/m/aug~basic/proxy~off-e6",
            "proxy": False,
            "test_accuracy": [0.70, 0.71, 0.69],
        }
    )
    chosen = chosen_settings(runs, pairs, 0.95).iloc[0]
    assert chosen["threshold"] == 0.8 and chosen["candidates"] == 2
    assert chosen["mean_diff"] == pytest.approx(0.011)
    assert chosen["control_mean"] == pytest.approx(0.70)


def test_over_seeds_gives_no_interval_for_one_seed():
    table = over_seeds(pd.DataFrame([pair("a", 0.8, 0, 0.02)]), ["threshold"], 0.95)
    assert table["n"].iloc[0] == 1 and np.isnan(table["ci_low"].iloc[0])


@pytest.mark.parametrize(
    ("rows", "expected"),
    [(5, r"\FitTable{"), (41, r"\begin{longtable}"), (APPENDIX_ROWS + 1, "every row is in")],
)
def test_listing_floats_short_tables_breaks_long_ones_and_points_to_the_csv_beyond(rows, expected):
    frame = pd.DataFrame({"Run": [f"r{i}" for i in range(rows)], "Acc": ["1.0"] * rows})
    tex = listing(frame, "Every run.", "tab:x", "data/results/runs.csv", "lr", csv="runs.csv")
    assert expected in tex
    if rows > APPENDIX_ROWS:
        assert f"{rows:,} rows" in tex and "r0" not in tex


def test_equal_gains_over_seeds_are_no_evidence():
    # Three seeds each 10 of 2,679 images better than their control: a t-test would say p = 0
    # (zero spread); such differences can be equal only up to float rounding.
    images = 2679
    gain = 10 / images
    gains = [gain, np.nextafter(gain, 1.0), np.nextafter(gain, 0.0)]
    rows = [pair("a", 0.8, seed, gain) for seed, gain in enumerate(gains)]
    table = over_seeds(pd.DataFrame(rows), ["threshold"], 0.95)
    assert np.isnan(table["p"].iloc[0])
    assert table["ci_low"].iloc[0] == pytest.approx(10 / images)
    assert table["ci_high"].iloc[0] == pytest.approx(10 / images)
