"""split.folds: k stratified folds of the training pool beside the one split, which stays."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from sklearn.datasets import load_digits

from proxy_attention.data.split import (
    SplitError,
    fold_split,
    load_split,
    make_folds,
    make_split,
    save_split,
    training_pool,
)

# sha256 of data/splits/digits.npz as the code before split.folds wrote it (split.seed 0,
# val_fraction 0.15, test_fraction 0.2: 1167 train, 270 validation, 360 test images).
DIGITS_SPLIT_SHA256 = "767aad873b2933f866974088718257ded4d4a8aff7bba05f144c2255f6cabde6"


def _digits_split():
    labels = load_digits().target
    return labels, make_split(labels, 0.15, 0.2, seed=0)


def test_without_folds_the_digits_split_file_is_byte_for_byte_the_old_one(tmp_path):
    _, split = _digits_split()
    save_split(tmp_path / "digits.npz", split)
    assert hashlib.sha256((tmp_path / "digits.npz").read_bytes()).hexdigest() == (
        DIGITS_SPLIT_SHA256
    )
    assert load_split(tmp_path / "digits.npz").folds is None


def test_folds_are_stratified_disjoint_and_leave_the_test_set_out(tmp_path):
    labels, split = _digits_split()
    folded = make_folds(split, labels, 5, seed=0)
    save_split(tmp_path / "folds.npz", folded)
    loaded = load_split(tmp_path / "folds.npz")
    np.testing.assert_array_equal(loaded.folds, folded.folds)
    np.testing.assert_array_equal(loaded.test, split.test)  # the test set of the one split
    pool = training_pool(split)
    assert len(pool) == 1437 and sorted(np.unique(loaded.folds)) == [0, 1, 2, 3, 4]
    held_out = []
    for fold in range(5):
        part = fold_split(loaded, fold)
        np.testing.assert_array_equal(np.sort(np.concatenate([part.train, part.val])), pool)
        assert not np.isin(part.val, part.train).any()
        assert not np.isin(split.test, np.concatenate([part.train, part.val])).any()
        counts = np.bincount(labels[part.val], minlength=10)
        assert counts.max() - counts.min() <= 2  # stratified: every class in every fold
        held_out.append(part.val)
    assert len(np.concatenate(held_out)) == len(pool)  # each pool image validates once


def test_an_official_validation_split_is_merged_into_the_pool():
    labels = np.arange(60) % 3
    official = np.array(["train"] * 45 + ["val"] * 15)
    split = make_split(labels, 0.2, 0.2, seed=0, official_split=official)
    folded = make_folds(split, labels, 3, seed=0)
    official_val = np.arange(45, 60)
    in_folds = [np.isin(official_val, fold_split(folded, f).val).sum() for f in range(3)]
    assert sum(in_folds) == 15 and min(in_folds) > 0  # spread over the folds, not one fold


def test_a_class_smaller_than_the_folds_is_named_with_the_fix():
    labels = np.array([0] * 20 + [1] * 4)
    split = make_split(labels, 0.2, 0.2, seed=0)
    message = r"class 1 has 3 images in the training pool, fewer than split.folds = 5; lower"
    with pytest.raises(SplitError, match=message):
        make_folds(split, labels, 5, seed=0)


def test_a_fold_the_split_file_lacks_is_refused():
    labels = np.arange(30) % 3
    split = make_split(labels, 0.2, 0.2, seed=0)
    assert fold_split(split, None) is split
    with pytest.raises(SplitError, match="the split file has no folds"):
        fold_split(split, 0)
    with pytest.raises(SplitError, match="has 3 folds, but the run asks for fold 3"):
        fold_split(make_folds(split, labels, 3, seed=0), 3)
