"""Train/validation/test indices, stratified and seeded, made once per dataset."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from proxy_attention.atomic import atomic_path

SPLITS = ("train", "val", "test")  # the official split names a prepared dataset may carry


@dataclass(frozen=True)
class Split:
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


def make_split(
    labels: np.ndarray,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    official_split: np.ndarray | None = None,
) -> Split:
    """Stratified split. Official test and validation sets are kept as they are; what a dataset
    does not ship is carved from the rest (train), stratified, in the configured shares."""
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


def resplit_train_val(split: Split, labels: np.ndarray, seed: int) -> Split:
    """A fresh train/validation split of the same pool, as the original implementation did."""
    pool = np.concatenate([split.train, split.val])
    train, val = train_test_split(
        pool, test_size=len(split.val), stratify=labels[pool], random_state=seed
    )
    return Split(train=np.sort(train), val=np.sort(val), test=split.test)


def save_split(path: str | os.PathLike, split: Split) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, train=split.train, val=split.val, test=split.test)


def load_split(path: str | os.PathLike) -> Split:
    with np.load(path) as data:
        return Split(train=data["train"], val=data["val"], test=data["test"])
