"""CIFAR-100 in its python pickle format: fine labels, class names from ``meta``."""

from __future__ import annotations

import functools
import pickle
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from proxy_attention.data.sources.errors import LayoutError
from proxy_attention.data.sources.spec import Item, Listing

FOLDER = "cifar-100-python"
BATCHES = (("train", "train"), ("test", "test"))  # pickle file -> official split


def _load(path: Path) -> dict[bytes, Any]:
    if not path.is_file():
        raise LayoutError(f"expected the CIFAR-100 pickle {path}; is this the right archive?")
    # The archive was verified against its published md5 before it was extracted, so
    # unpickling it is as safe as torchvision's loader (which does the same).
    with open(path, "rb") as f:
        return pickle.load(f, encoding="bytes")


def list_cifar100(roots: dict[str, Path], cfg: dict[str, Any]) -> Listing:
    """Items ``train/<i>`` and ``test/<i>``; pixels are read on first use, one batch at a time.

    A batch is a single pickle (train: 150 MB), so it is held while its images are decoded;
    that is the format's floor, not a growing list of decoded images.
    """
    root = next(iter(roots.values())) / FOLDER
    classes = [name.decode() for name in _load(root / "meta")[b"fine_label_names"]]
    items: list[Item] = []
    for batch, split in BATCHES:
        labels = _load(root / batch)[b"fine_labels"]
        items.extend(Item(f"{batch}/{i}", int(label), split) for i, label in enumerate(labels))

    @functools.lru_cache(maxsize=1)  # items come batch by batch: keep only the current one
    def pixels(batch: str) -> np.ndarray:
        data = np.asarray(_load(root / batch)[b"data"], dtype=np.uint8)
        return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # rows are CHW, 32x32

    def _open(item: Item) -> Image.Image:
        batch, index = item.key.split("/")
        return Image.fromarray(np.ascontiguousarray(pixels(batch)[int(index)]), "RGB")

    return Listing(classes=classes, items=items, open=_open, has_official_split=True)
