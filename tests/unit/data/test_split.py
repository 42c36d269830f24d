"""The split: stratified, disjoint, deterministic for a seed, and stable when saved and read."""

import numpy as np

from proxy_attention.data.split import load_split, make_split, resplit_train_val, save_split

LABELS = np.repeat(np.arange(5), [40, 60, 80, 100, 120])


def test_disjoint_complete_and_sized():
    split = make_split(LABELS, 0.15, 0.2, seed=0)
    union = np.concatenate([split.train, split.val, split.test])
    assert len(union) == len(np.unique(union)) == len(LABELS)
    assert split.sizes() == {"train": 260, "val": 60, "test": 80}


def test_stratified_class_shares():
    split = make_split(LABELS, 0.15, 0.2, seed=0)
    whole = np.bincount(LABELS) / len(LABELS)
    for part in (split.train, split.val, split.test):
        share = np.bincount(LABELS[part], minlength=5) / len(part)
        np.testing.assert_allclose(share, whole, atol=0.02)


def test_deterministic_for_a_seed_and_different_across_seeds():
    a, b = make_split(LABELS, 0.15, 0.2, seed=3), make_split(LABELS, 0.15, 0.2, seed=3)
    c = make_split(LABELS, 0.15, 0.2, seed=4)
    for part in ("train", "val", "test"):
        np.testing.assert_array_equal(getattr(a, part), getattr(b, part))
    assert not np.array_equal(a.test, c.test)


def test_saved_split_reads_back_identically(tmp_path):
    split = make_split(LABELS, 0.15, 0.2, seed=0)
    save_split(tmp_path / "s.npz", split)
    again = load_split(tmp_path / "s.npz")
    for part in ("train", "val", "test"):
        np.testing.assert_array_equal(getattr(split, part), getattr(again, part))


def test_official_test_set_is_kept_and_val_comes_from_train():
    official = np.where(np.arange(len(LABELS)) % 5 == 0, "test", "train")
    split = make_split(LABELS, 0.1, 0.2, seed=0, official_split=official)
    np.testing.assert_array_equal(split.test, np.flatnonzero(official == "test"))
    assert set(split.val) <= set(np.flatnonzero(official == "train"))


def test_resplit_moves_validation_images_into_train_but_keeps_test():
    split = make_split(LABELS, 0.15, 0.2, seed=0)
    fresh = resplit_train_val(split, LABELS, seed=1)
    np.testing.assert_array_equal(fresh.test, split.test)
    assert len(fresh.val) == len(split.val)
    assert set(fresh.train) & set(split.val)  # the original protocol's leak


def test_official_val_and_test_are_kept_as_they_are():
    labels = np.arange(60) % 3
    official = np.array(["train"] * 30 + ["val"] * 15 + ["test"] * 15)
    split = make_split(labels, 0.15, 0.2, seed=0, official_split=official)
    assert split.train.tolist() == list(range(30))
    assert split.val.tolist() == list(range(30, 45))
    assert split.test.tolist() == list(range(45, 60))


def test_an_official_val_without_test_carves_test_from_train():
    labels = np.arange(100) % 2
    official = np.array(["train"] * 80 + ["val"] * 20)
    split = make_split(labels, 0.15, 0.2, seed=0, official_split=official)
    assert split.val.tolist() == list(range(80, 100))
    assert len(split.test) == 20 and split.test.max() < 80
    assert np.bincount(labels[split.test]).tolist() == [10, 10]
    assert sorted(np.concatenate([split.train, split.test]).tolist()) == list(range(80))


def test_a_class_with_one_image_stops_the_split_naming_it():
    import pytest

    from proxy_attention.data.split import SplitError

    labels = np.array([0] * 20 + [1] + [2] * 20)
    with pytest.raises(SplitError, match=r"^class 'cat' has 1 image; the split needs at least 3"):
        make_split(labels, 0.15, 0.2, seed=0, classes=["ant", "cat", "dog"])


def test_too_small_a_test_share_is_one_line_naming_the_keys():
    import pytest

    from proxy_attention.data.split import SplitError

    labels = np.repeat(np.arange(10), 5)
    with pytest.raises(SplitError, match=r"split.test_fraction = 0.05: .*raise the fractions"):
        make_split(labels, 0.15, 0.05, seed=0)


def test_saved_split_is_byte_identical_when_made_again(tmp_path):
    import time

    split = make_split(LABELS, 0.15, 0.2, seed=0)
    save_split(tmp_path / "a.npz", split)
    time.sleep(2.1)  # zip dates have a 2-second resolution
    save_split(tmp_path / "b.npz", split)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
