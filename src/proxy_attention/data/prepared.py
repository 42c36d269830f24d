"""The prepared format every dataset is converted to once, so an epoch never decodes an image.

A prepared dataset is a directory holding

- ``images.npy``: uint8 array ``(N, H, W, 3)``, memory-mapped when read;
- ``labels.npy``: int64 array ``(N,)``;
- ``meta.json``: class names, image size, count, source and, where the source has one, the
  official split as ``official_split`` (a list of "train"/"test" per image, in ``splits.npy``);
- ``report.json``: what the prepare step skipped or converted.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from proxy_attention.atomic import atomic_dir, read_json, write_json
from proxy_attention.npy_stream import NpyAppender

IMAGES = "images.npy"
LABELS = "labels.npy"
OFFICIAL_SPLIT = "official_split.npy"
META = "meta.json"
IMAGES_SHA256 = "images_sha256"  # meta.json key: the images' content hash, for a run's inputs
REPORT = "report.json"


@dataclass
class PreparedDataset:
    """A prepared dataset opened for reading; ``images`` is a read-only memory map."""

    root: Path
    images: np.ndarray
    labels: np.ndarray
    classes: list[str]
    meta: dict[str, Any]
    official_split: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def image_size(self) -> int:
        return int(self.images.shape[1])

    @property
    def num_classes(self) -> int:
        return len(self.classes)


def open_prepared(root: str | os.PathLike) -> PreparedDataset:
    root = Path(root)
    if not (root / META).exists():
        raise FileNotFoundError(
            f"{root} is not a prepared dataset (no {META}); run the prepare step first"
        )
    meta = read_json(root / META)
    split_path = root / OFFICIAL_SPLIT
    return PreparedDataset(
        root=root,
        images=np.load(root / IMAGES, mmap_mode="r"),
        labels=np.load(root / LABELS),
        classes=list(meta["classes"]),
        meta=meta,
        official_split=np.load(split_path) if split_path.exists() else None,
    )


@dataclass
class PrepareReport:
    """Counts of what prepare did to the source files, written next to the data."""

    total: int = 0
    written: int = 0
    converted: dict[str, int] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    dropped_classes: list[str] = field(default_factory=list)  # class folders with no image
    # Images repeated within the dataset and across its official splits (data/duplicates.py).
    duplicates: dict[str, Any] = field(default_factory=dict)

    def convert(self, mode: str) -> None:
        self.converted[mode] = self.converted.get(mode, 0) + 1

    def skip(self, name: str, reason: str) -> None:
        self.skipped.append({"file": name, "reason": reason})

    @property
    def bad_fraction(self) -> float:
        return len(self.skipped) / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "written": self.written,
            "skipped_count": len(self.skipped),
            "bad_fraction": self.bad_fraction,
            "converted": self.converted,
            "skipped": self.skipped,
            "dropped_classes": self.dropped_classes,
            "duplicates": self.duplicates,
        }


def write_prepared(
    out_dir: str | os.PathLike,
    samples: Iterable[tuple[np.ndarray, int, str | None]],
    capacity: int,
    image_size: int,
    classes: list[str],
    meta: dict[str, Any] | None = None,
    report: PrepareReport | None = None,
) -> Path:
    """Stream ``(image HxWx3 uint8, label, official_split or None)`` into ``out_dir`` atomically.

    ``capacity`` is an upper bound on the number of samples; the memory map is trimmed to what
    was written, so peak memory stays at one image whatever the dataset size.
    """
    out_dir = Path(out_dir)
    report = report or PrepareReport()
    item_shape = (image_size, image_size, 3)
    with atomic_dir(out_dir) as tmp:
        labels = np.empty(capacity, dtype=np.int64)
        splits: list[str | None] = []
        count = 0
        content = hashlib.sha256()
        images = NpyAppender(tmp / IMAGES, np.uint8, item_shape, capacity)
        for image, label, official in samples:
            if image.shape != item_shape or image.dtype != np.uint8:
                raise ValueError(
                    f"sample {count}: expected uint8 {item_shape}, got {image.dtype} {image.shape}"
                )
            images.append(image[None])
            content.update(image.tobytes())
            labels[count] = label
            splits.append(official)
            count += 1
        images.close()
        np.save(tmp / LABELS, labels[:count])
        if any(s is not None for s in splits):
            np.save(tmp / OFFICIAL_SPLIT, np.array([s or "train" for s in splits]))
        report.written = count
        write_json(
            tmp / META,
            {
                **(meta or {}),
                "classes": list(classes),
                "image_size": image_size,
                "count": count,
                IMAGES_SHA256: content.hexdigest(),
                "class_counts": np.bincount(labels[:count], minlength=len(classes)).tolist(),
            },
        )
        write_json(tmp / REPORT, report.as_dict())
    return out_dir
