"""Decoding: every PIL mode the datasets contain becomes RGB with known pixel values."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from proxy_attention.data.sources.decode import BadImage, load_rgb


def _load(image: Image.Image, fmt: str = "PNG", size: int = 4):
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    data = buffer.getvalue()
    return load_rgb(lambda: Image.open(io.BytesIO(data)), size)


def test_rgb_is_resized_and_not_counted_as_converted():
    array, converted = _load(Image.new("RGB", (10, 6), (12, 34, 56)))
    assert converted is None
    assert array.shape == (4, 4, 3) and array.dtype == np.uint8
    assert (array == (12, 34, 56)).all()


def test_greyscale_is_replicated_to_three_channels():
    array, converted = _load(Image.new("L", (5, 5), 77))
    assert converted == "L"
    assert (array == 77).all()


@pytest.mark.parametrize(("alpha", "expected"), [(0, 255), (255, 200), (128, 227)])
def test_rgba_is_composited_on_white(alpha, expected):
    # Red 200 over white: (200 * a + 255 * (255 - a)) / 255 -> 255, 200, 227.4 for a = 128.
    array, converted = _load(Image.new("RGBA", (4, 4), (200, 0, 0, alpha)))
    assert converted == "RGBA"
    assert abs(int(array[0, 0, 0]) - expected) <= 1
    assert abs(int(array[0, 0, 1]) - (255 * (255 - alpha) // 255)) <= 1


def test_la_is_composited_on_white():
    array, converted = _load(Image.new("LA", (4, 4), (40, 0)))
    assert converted == "LA"
    assert (array == 255).all()


def test_cmyk_is_converted():
    image = Image.new("CMYK", (4, 4), (255, 0, 0, 0))  # pure cyan ink
    array, converted = _load(image, fmt="JPEG")
    assert converted == "CMYK"
    assert np.abs(array.astype(int) - (0, 255, 255)).max() <= 3


def test_palette_uses_its_colours_and_transparency():
    image = Image.new("P", (4, 4), 1)
    image.putpalette([10, 20, 30, 90, 100, 110] + [0] * 762)
    array, converted = _load(image)
    assert converted == "P"
    assert (array == (90, 100, 110)).all()
    image.info["transparency"] = 1  # palette entry 1 is transparent -> white
    array, converted = _load(image)
    assert converted == "P"
    assert (array == 255).all()


def test_16_bit_greyscale_is_scaled_not_clipped():
    image = Image.fromarray(np.array([[0, 1000], [500, 1000]], dtype=np.uint16))
    array, converted = _load(image, size=2)
    assert converted.startswith("I")
    assert array[:, :, 0].tolist() == [[0, 255], [128, 255]]


def test_large_jpegs_decode_at_reduced_size_with_the_right_colour():
    array, converted = _load(Image.new("RGB", (224, 224), (30, 140, 220)), fmt="JPEG", size=64)
    assert converted is None and array.shape == (64, 64, 3)
    assert np.abs(array.astype(int) - (30, 140, 220)).max() <= 3


def test_garbage_and_truncated_files_raise_bad_image():
    with pytest.raises(BadImage):
        load_rgb(lambda: Image.open(io.BytesIO(b"not an image at all")), 4)
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)).save(
        buffer, "JPEG"
    )
    truncated = buffer.getvalue()[:800]
    with pytest.raises(BadImage, match="truncated|broken|image file"):
        load_rgb(lambda: Image.open(io.BytesIO(truncated)), 8)


def _sideways_jpeg(orientation: int) -> bytes:
    """A phone photo as stored: the scene (red sky over a blue sea) turned so that the EXIF
    orientation tag ``orientation`` turns it upright again."""
    upright = Image.new("RGB", (64, 64), (0, 0, 255))
    upright.paste((255, 0, 0), (0, 0, 64, 32))
    # What the camera stored is the upright scene turned back by the tag's rotation.
    stored = {3: upright.rotate(180), 6: upright.rotate(90), 8: upright.rotate(-90)}[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=95, exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied(orientation):
    data = _sideways_jpeg(orientation)
    array, _ = load_rgb(lambda: Image.open(io.BytesIO(data)), 8)
    assert (array[:3, :, 0] > 200).all() and (array[:3, :, 2] < 60).all()  # red on top
    assert (array[5:, :, 2] > 200).all() and (array[5:, :, 0] < 60).all()  # blue below
