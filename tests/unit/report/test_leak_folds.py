"""The leak check with folds: twins of the same fold and seed, with the corrected test."""

from __future__ import annotations

import pytest

from proxy_attention.grid import expand_grid
from proxy_attention.report.build import add_labels
from proxy_attention.report.leak import leak_sentence, leak_summary, leak_twins
from proxy_attention.report.stats import paired_difference
from tests.helpers.result_tables import run_row, table

GAPS = [0.10, 0.14, 0.08, 0.12]


def test_twins_are_crossed_with_the_folds(params):
    params["split"]["folds"] = 2
    params["grid"].update(augmentations=["basic"], schedules=[[3, "p", 2]], seeds=[0])
    params["grid"]["leak_check"] = {"augmentations": ["basic"], "schedules": [[1, "p", "p", 1]]}
    twins = [r.run_id for r in expand_grid(params) if "-s1-p-p-1" in r.run_id]
    assert [run_id.split("/proxy~")[1].split("-s1-p-p-1")[1] for run_id in twins] == [
        "/fold~0/seed~0",
        "-resplit/fold~0/seed~0",
        "/fold~1/seed~0",
        "-resplit/fold~1/seed~0",
    ]


def _fold_twins():
    rows = []
    for fold, gap in enumerate(GAPS):
        for resplit in (False, True):
            row = run_row("digits", "m", "basic", 0, True, 0.8, 0.8, resplit=resplit)
            row["run_id"] = row["run_id"].replace("/seed~0", f"/fold~{fold}/seed~0")
            row["reported_accuracy"] = 0.8 + (gap if resplit else 0.0)
            rows.append({**row, "fold": fold, "train_size": 300, "val_size": 100})
    return add_labels(table(rows))


def test_the_leak_over_folds_pairs_each_fold_with_its_twin_and_corrects_the_test():
    twins = leak_twins(_fold_twins())
    assert len(twins) == 4 and sorted(twins["fold"]) == [0, 1, 2, 3]
    row = leak_summary(twins, 0.95).iloc[0]
    expected = paired_difference(GAPS, [0.0] * 4, 0.95, overlap=100 / 300)
    assert row["leak_p"] == pytest.approx(expected["p"])
    assert row["leak_ci_low"] == pytest.approx(expected["ci_low"])
    assert row["folds"] == 4
    sentence = leak_sentence(row, 0.95)
    assert "(4 (fold, seed) pairs over 4 folds)" in sentence
    assert "paired by fold and seed, corrected resampled t-test" in sentence
