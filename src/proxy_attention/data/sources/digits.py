"""scikit-learn's bundled handwritten digits: the embedded default dataset (no network)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from proxy_attention.data.prepared import PrepareReport, write_prepared
from proxy_attention.data.sources.select import select_subset
from proxy_attention.data.sources.spec import Item

CLASSES = [str(d) for d in range(10)]
DESCRIPTION = "scikit-learn's bundled 8x8 handwritten digits (no download)"


def digits_samples(image_size: int) -> Iterator[tuple[np.ndarray, int, None]]:
    """Yield each 8x8 digit as an RGB uint8 image of ``image_size`` px and its label."""
    # Imported here: the registry imports this module, and most callers never read digits.
    from sklearn.datasets import load_digits

    bunch = load_digits()
    # Pixel values are 0..16 ink counts; scale to 0..255 with white ink on black as bundled.
    pixels = np.round(bunch.images * (255.0 / 16.0)).clip(0, 255).astype(np.uint8)
    for image, label in zip(pixels, bunch.target, strict=True):
        resized = Image.fromarray(image, mode="L").resize(
            (image_size, image_size), Image.Resampling.BILINEAR
        )
        yield np.asarray(resized.convert("RGB")), int(label), None


def prepare_digits(cfg: dict[str, Any], out_dir: Path) -> Path:
    """Write the digits in the prepared format; selection applies as for any source.

    The images are made here, not decoded from an archive, so they skip the listing and
    decoding path of the other sources (their resize from 8 px is the one above).
    """
    size = int(cfg["image_size"])
    samples = list(digits_samples(size))  # 1,797 tiny images: holding them is harmless
    items = [Item(str(i), label, None) for i, (_, label, _) in enumerate(samples)]
    chosen = select_subset(items, cfg["max_per_class"], cfg["fraction"], int(cfg["seed"]))
    report = PrepareReport(total=len(chosen))
    stream = (samples[int(item.key)] for item in chosen)
    meta = {"source": "digits", "description": DESCRIPTION}
    return write_prepared(out_dir, stream, len(chosen), size, CLASSES, meta, report)
