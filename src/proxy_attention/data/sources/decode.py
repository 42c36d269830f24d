"""Decode one image file to a fixed-size RGB uint8 array, converting odd modes on the way."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageOps

# Transparent pixels are composited on white (not dropped): a dropped alpha channel exposes
# whatever colour the encoder left under transparent pixels, often black noise.
ALPHA_BACKGROUND = (255, 255, 255)
ALPHA_POLICY = "composite on white"
RESAMPLE = Image.Resampling.BILINEAR  # antialiased when shrinking, like torchvision's default


class BadImage(Exception):
    """The file could not be decoded (unreadable, truncated, not an image)."""


def to_rgb(image: Image.Image) -> tuple[Image.Image, str | None]:
    """Return ``image`` in RGB and the mode it was converted from (None when already RGB)."""
    mode = image.mode
    if mode == "RGB":
        return image, None
    if mode == "PA" or (mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*ALPHA_BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert("RGB"), mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16/32-bit greyscale: scale to 8 bit; PIL's convert("RGB") would clip at 255.
        array = np.asarray(image, dtype=np.float64)
        peak = array.max() or 1.0
        image = Image.fromarray(np.round(array * (255.0 / peak)).astype(np.uint8), "L")
    return image.convert("RGB"), mode


def load_rgb(
    open_image: Callable[[], Image.Image], size: int, draft: bool = True
) -> tuple[np.ndarray, str | None]:
    """Decode, convert to RGB and resize to ``size`` x ``size``; raise BadImage if unreadable.

    ``draft`` lets the JPEG decoder downscale by a power of two while decoding (still at least
    ``size``), which is most of the speed of preparing large photos at a small size.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with open_image() as image:
                if draft and image.format == "JPEG":
                    image.draft(image.mode, (size, size))
                image.load()  # truncated or corrupt data raises here, not at open
                # Phone photos are stored sideways with an EXIF tag saying how to turn them.
                ImageOps.exif_transpose(image, in_place=True)
                rgb, converted = to_rgb(image)
                if rgb.size != (size, size):
                    rgb = rgb.resize((size, size), RESAMPLE)
                return np.asarray(rgb, dtype=np.uint8), converted
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise BadImage(f"{type(exc).__name__}: {exc}") from None
    except Image.DecompressionBombWarning as exc:
        raise BadImage(f"DecompressionBombWarning: {exc}") from None
