"""DVC metrics of a build with folds: counts of folds and pairs, the corrected paired test."""

from __future__ import annotations

import pytest

from proxy_attention.report.build import add_labels
from proxy_attention.report.dvc_metrics import accuracy_points, build_metrics
from proxy_attention.report.stats import paired_difference
from tests.helpers.result_tables import fold_pair_rows, pair_rows, table

GAINS = [0.02, 0.04, 0.00, 0.03, 0.01]


def test_gain_over_control_names_the_folds_and_uses_the_corrected_test():
    runs = add_labels(table(fold_pair_rows([0.8] * 5, GAINS)))
    metrics = build_metrics(runs, 0.95)
    (gain,) = metrics["gain_over_control"].values()
    assert (gain["folds"], gain["pairs"], gain["seeds"]) == (5, 5, 1)
    assert gain["p"] == pytest.approx(paired_difference(GAINS, [0.0] * 5, 0.95, 0.25)["p"])
    assert all(entry["folds"] == 5 for entry in metrics["test_accuracy"].values())
    assert list(accuracy_points(runs).columns) == ["variant", "fold", "seed", "test_accuracy"]


def test_without_folds_the_metrics_have_no_fold_keys():
    runs = add_labels(table(pair_rows([0.8, 0.82, 0.84], [0.01, 0.02, 0.0])))
    metrics = build_metrics(runs, 0.95)
    (gain,) = metrics["gain_over_control"].values()
    assert "folds" not in gain and gain["seeds"] == 3
    assert list(accuracy_points(runs).columns) == ["variant", "seed", "test_accuracy"]
