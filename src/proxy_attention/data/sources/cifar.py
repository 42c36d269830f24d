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


# The only globals CIFAR-100's batches reference: numpy arrays (``data``) under the names
# numpy 1 and 2 pickle them with (protocol 5 uses _frombuffer), and _codecs.encode, which
# Python 3 uses for bytes at protocol 2 (a str -> bytes conversion, no code). Labels, class
# and file names are plain lists, ints and bytes.
_ALLOWED_GLOBALS = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }
)


class _BatchUnpickler(pickle.Unpickler):
    """Admits only the types a CIFAR batch holds, so a crafted archive cannot run code (a
    pinned digest under ``checksums`` makes any archive "verified"; torchvision's loader
    unpickles without restriction)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"global {module}.{name} is not allowed")
        return super().find_class(module, name)


def _load(path: Path) -> dict[bytes, Any]:
    if not path.is_file():
        raise LayoutError(f"expected the CIFAR-100 pickle {path}; is this the right archive?")
    try:
        with open(path, "rb") as f:
            batch = _BatchUnpickler(f, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        raise LayoutError(
            f"{path.name} is not a CIFAR-100 batch ({exc}); refusing to read it, use the "
            "official archive"
        ) from None
    if not isinstance(batch, dict):
        raise LayoutError(f"{path.name} is not a CIFAR-100 batch (a {type(batch).__name__})")
    return batch


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
