"""Summary views over folds: (fold, seed) pairs are the unit, with the corrected variance."""

from __future__ import annotations

import pytest

from proxy_attention.report.build import add_labels
from proxy_attention.report.comparison import paired_runs
from proxy_attention.report.stats import paired_difference
from proxy_attention.report.summary_views import chosen_settings, over_seeds
from tests.helpers.result_tables import fold_pair_rows, table

GAINS = [0.02, 0.04, 0.00, 0.03, 0.01]


def _pairs():
    runs = add_labels(table(fold_pair_rows([0.8] * 5, GAINS)))
    return runs, paired_runs(runs)


def test_over_seeds_takes_each_fold_and_seed_as_one_pair_with_the_corrected_interval():
    _, pairs = _pairs()
    row = over_seeds(pairs, ["variant"], 0.95).iloc[0]
    expected = paired_difference(GAINS, [0.0] * 5, 0.95, overlap=288 / 1152)
    assert row["n"] == 5  # five folds of one seed, not one seed
    for key in ("mean_diff", "ci_low", "ci_high", "p"):
        assert row[key] == pytest.approx(expected[key])


def test_chosen_settings_over_folds_use_the_corrected_test():
    runs, pairs = _pairs()
    row = chosen_settings(runs, pairs, 0.95).iloc[0]
    assert row["n"] == 5
    assert row["p"] == pytest.approx(paired_difference(GAINS, [0.0] * 5, 0.95, 0.25)["p"])
