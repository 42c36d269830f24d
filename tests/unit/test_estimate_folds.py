"""proxy-attention estimate with folds: k times the runs, each training on (k - 1)/k of the pool."""

from __future__ import annotations

from proxy_attention.estimate import DatasetSize, split_counts
from proxy_attention.grid import expand_grid
from proxy_attention.params import validate_params

SPLIT = {"seed": 0, "val_fraction": 0.15, "test_fraction": 0.2}


def test_a_fold_trains_on_four_fifths_of_the_pool():
    size = DatasetSize(1000, 10)
    assert split_counts(size, {}, SPLIT) == {"total": 1000, "train": 650, "val": 150, "test": 200}
    folded = split_counts(size, {}, {**SPLIT, "folds": 5})
    assert folded == {"total": 1000, "train": 640, "val": 160, "test": 200}


def test_the_runs_estimated_are_the_folds_times_the_runs_of_one_split(params):
    one = len(expand_grid(params))
    params["split"]["folds"] = 5
    params["figures"]["pairs"] = None
    assert len(expand_grid(validate_params(params))) == 5 * one
