"""Train/validation/test indices, stratified and seeded, made once per dataset."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from proxy_attention.atomic import atomic_path, remove_leftovers
from proxy_attention.errors import UserError


class SplitError(UserError):
    """The dataset cannot be split as params.yaml asks; the message names the class or key."""


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
    classes: list[str] | None = None,
) -> Split:
    """Stratified split; an official test set is kept and validation is carved from train."""
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
    """Every class needs an image in each part it is split into (train, val and, unless the
    source has an official test set, test); say which class is short, not sklearn's traceback."""
    official = official_split is not None and (official_split == "test").any()
    pool = labels[official_split != "test"] if official else labels
    needed = 2 if official else 3
    counts = np.bincount(pool, minlength=len(classes) if classes else 0)
    for label, count in enumerate(counts):
        if count < needed:
            name = classes[label] if classes else str(label)
            where = " outside the official test set" if official else ""
            parts = "train, validation" if official else "train, validation, test"
            raise SplitError(
                f"class {name!r} has {count} image{'s' if count != 1 else ''}{where}; the split "
                f"needs at least {needed} per class ({parts}): add images to it or move it out "
                "of the dataset"
            )


def _stratified(
    labels: np.ndarray,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    official_split: np.ndarray | None,
) -> Split:
    indices = np.arange(len(labels))
    if official_split is not None and (official_split == "test").any():
        test = indices[official_split == "test"]
        pool = indices[official_split != "test"]
        val_share = val_fraction
    else:
        pool, test = train_test_split(
            indices, test_size=test_fraction, stratify=labels, random_state=seed
        )
        # val_fraction is a share of the whole dataset, so rescale it to the remaining pool.
        val_share = val_fraction / (1.0 - test_fraction)
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
    """An .npz that np.load reads, with a fixed member date: np.savez stamps the current time
    into the zip, so the same split would differ byte for byte (and in its hash) each time."""
    remove_leftovers(path)  # a killed earlier attempt's temporary file
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        for name in ("train", "val", "test"):
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(member, "w") as handle:
                np.lib.format.write_array(handle, np.asarray(getattr(split, name)))


def load_split(path: str | os.PathLike) -> Split:
    with np.load(path) as data:
        return Split(train=data["train"], val=data["val"], test=data["test"])
