"""scikit-learn's bundled handwritten digits: the embedded default dataset (no network)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

CLASSES = [str(d) for d in range(10)]


def digits_samples(image_size: int) -> Iterator[tuple[np.ndarray, int, None]]:
    """Yield each 8x8 digit as an RGB uint8 image of ``image_size`` px and its label."""
    bunch = load_digits()
    # Pixel values are 0..16 ink counts; scale to 0..255 with white ink on black as bundled.
    pixels = np.round(bunch.images * (255.0 / 16.0)).clip(0, 255).astype(np.uint8)
    for image, label in zip(pixels, bunch.target, strict=True):
        resized = Image.fromarray(image, mode="L").resize(
            (image_size, image_size), Image.Resampling.BILINEAR
        )
        yield np.asarray(resized.convert("RGB")), int(label), None
