"""Train/validation/test indices, stratified and seeded, made once per dataset; with
``split.folds`` k > 1 also k stratified folds of the training pool (train and validation)."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

from proxy_attention.atomic import atomic_path, remove_leftovers
from proxy_attention.errors import UserError


class SplitError(UserError):
    """The dataset cannot be split as params.yaml asks; the message names the class or key."""


SPLITS = ("train", "val", "test")  # the official split names a prepared dataset may carry


@dataclass(frozen=True)
class Split:
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    # The fold of each index of the training pool (train and val, sorted); None: no folds.
    folds: np.ndarray | None = None

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


def make_split(
    labels: np.ndarray,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    official_split: np.ndarray | None = None,
    classes: list[str] | None = None,
) -> Split:
    """Stratified split. Official test and validation sets are kept as they are; what a dataset
    does not ship is carved from the rest (train), stratified, in the configured shares."""
    check_class_sizes(labels, official_split, classes)
    try:
        return _stratified(labels, val_fraction, test_fraction, seed, official_split)
    except ValueError as exc:  # e.g. fewer test images than classes
        raise SplitError(
            f"cannot split {len(labels)} images of {len(np.unique(labels))} classes with "
            f"split.val_fraction = {val_fraction}, split.test_fraction = {test_fraction}: "
            f"{str(exc).splitlines()[0]}; raise the fractions or add images"
        ) from None


def check_class_sizes(
    labels: np.ndarray, official_split: np.ndarray | None = None, classes: list[str] | None = None
) -> None:
    """Every class needs an image in each part carved from it (train, and validation and test
    unless the source ships them); say which class is short, not sklearn's traceback."""
    official = np.asarray(official_split) if official_split is not None else None
    kept = [n for n in ("val", "test") if official is not None and bool((official == n).any())]
    pool = labels[~np.isin(official, kept)] if kept else labels
    parts = [
        "train",
        *(("validation",) if "val" not in kept else ()),
        *(("test",) if "test" not in kept else ()),
    ]
    needed = len(parts)
    counts = np.bincount(pool, minlength=len(classes) if classes else 0)
    for label, count in enumerate(counts):
        if count < needed:
            name = classes[label] if classes else str(label)
            where = " outside the official splits" if kept else ""
            raise SplitError(
                f"class {name!r} has {count} image{'s' if count != 1 else ''}{where}; the split "
                f"needs at least {needed} per class ({', '.join(parts)}): add images to it or "
                "move it out of the dataset"
            )


def _stratified(
    labels: np.ndarray,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    official_split: np.ndarray | None,
) -> Split:
    indices = np.arange(len(labels))
    official = np.asarray(official_split) if official_split is not None else None
    has = {name: official is not None and bool((official == name).any()) for name in SPLITS}
    if has["test"]:
        test = indices[official == "test"]
        pool = indices[official != "test"]
        val_share = val_fraction
    else:
        pool = indices[official != "val"] if has["val"] else indices
        test_size = round(test_fraction * len(indices)) if has["val"] else test_fraction
        pool, test = train_test_split(
            pool, test_size=test_size, stratify=labels[pool], random_state=seed
        )
        # val_fraction is a share of the whole dataset, so rescale it to the remaining pool.
        val_share = val_fraction / (1.0 - test_fraction)
    if has["val"]:
        val = indices[official == "val"]
        train = np.setdiff1d(pool, val)
    else:
        train, val = train_test_split(
            pool, test_size=val_share, stratify=labels[pool], random_state=seed
        )
    return Split(train=np.sort(train), val=np.sort(val), test=np.sort(test))


def make_folds(split: Split, labels: np.ndarray, folds: int, seed: int) -> Split:
    """``split`` with k stratified folds of its training pool (train and val together, so an
    official validation split is merged in); the test set is left as it is and in no fold."""
    pool = training_pool(split)
    counts = np.bincount(labels[pool])
    short = [label for label, count in enumerate(counts) if 0 < count < folds]
    if short:
        raise SplitError(
            f"class {short[0]} has {counts[short[0]]} images in the training pool, fewer than "
            f"split.folds = {folds}; lower split.folds or add images to that class"
        )
    assigned = np.empty(len(pool), dtype=np.int64)
    stratified = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (_, held_out) in enumerate(stratified.split(pool, labels[pool])):
        assigned[held_out] = fold
    return Split(train=split.train, val=split.val, test=split.test, folds=assigned)


def training_pool(split: Split) -> np.ndarray:
    return np.sort(np.concatenate([split.train, split.val]))


def fold_split(split: Split, fold: int | None) -> Split:
    """The split a run of ``fold`` trains on: the other folds, validated on ``fold``; the split
    itself when the run has no fold."""
    if fold is None:
        return split
    if split.folds is None or fold > int(split.folds.max()):
        made = 0 if split.folds is None else int(split.folds.max()) + 1
        raise SplitError(
            f"the split file has {made or 'no'} folds, but the run asks for fold {fold}; "
            "rebuild the split (snakemake reruns it when split.folds changes)"
        )
    pool = training_pool(split)
    held_out = split.folds == fold
    return Split(train=pool[~held_out], val=pool[held_out], test=split.test)


def resplit_train_val(split: Split, labels: np.ndarray, seed: int) -> Split:
    """A fresh train/validation split of the same pool, as the original implementation did."""
    pool = np.concatenate([split.train, split.val])
    train, val = train_test_split(
        pool, test_size=len(split.val), stratify=labels[pool], random_state=seed
    )
    return Split(train=np.sort(train), val=np.sort(val), test=split.test)


def save_split(path: str | os.PathLike, split: Split) -> None:
    """An .npz that np.load reads, with a fixed member date: np.savez stamps the current time
    into the zip, so the same split would differ byte for byte (and in its hash) each time."""
    remove_leftovers(path)  # a killed earlier attempt's temporary file
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        names = ("train", "val", "test") + (("folds",) if split.folds is not None else ())
        for name in names:
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(member, "w") as handle:
                np.lib.format.write_array(handle, np.asarray(getattr(split, name)))


def load_split(path: str | os.PathLike) -> Split:
    with np.load(path) as data:
        folds = data["folds"] if "folds" in data.files else None
        return Split(train=data["train"], val=data["val"], test=data["test"], folds=folds)
