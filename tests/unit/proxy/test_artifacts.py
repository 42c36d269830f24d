"""StepWriter's files: every row appended in order, losslessly, and a contact sheet of the
first rows, original | map | proxy, scaled up for tiny images."""

import numpy as np
from PIL import Image

from proxy_attention.proxy.artifacts import (
    CONTACT_SHEET,
    IMAGES,
    INDICES,
    MAPS,
    ORIGINALS,
    TARGETS,
    StepWriter,
    load_step,
)


def rows(first: int, count: int):
    """``count`` rows whose values name their row: original k is grey k, its proxy 100 + k."""
    ks = np.arange(first, first + count)
    originals = np.broadcast_to(ks[:, None, None, None], (count, 2, 2, 3)).astype(np.uint8)
    maps = np.broadcast_to((ks / 10)[:, None, None], (count, 2, 2)).astype(np.float32)
    return 10 + ks, originals, originals + 100, maps, ks % 2


def test_rows_of_every_batch_land_in_order_and_unchanged(tmp_path):
    writer = StepWriter(tmp_path, 3, 2, 2, sheet_rows=2)
    writer.add(*rows(0, 2))
    writer.add(*rows(2, 1))
    writer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [INDICES, IMAGES, ORIGINALS, MAPS, TARGETS, CONTACT_SHEET]
    )
    step = load_step(tmp_path)
    indices, originals, images, maps, targets = rows(0, 3)
    assert step["indices"].tolist() == [10, 11, 12] and step["targets"].tolist() == [0, 1, 0]
    np.testing.assert_array_equal(step["originals"], originals)
    np.testing.assert_array_equal(step["images"], images)
    np.testing.assert_array_equal(step["maps"], maps)
    assert step["images"].dtype == np.uint8 and step["maps"].dtype == np.float32


def test_the_contact_sheet_shows_the_first_rows_scaled_to_about_96_pixels(tmp_path):
    writer = StepWriter(tmp_path, 3, 2, 2, sheet_rows=2)
    writer.add(*rows(0, 1))
    writer.add(*rows(1, 2))
    writer.close()
    sheet = np.asarray(Image.open(tmp_path / CONTACT_SHEET))
    # two rows of three 2x2 panels, each pixel 96 // 2 = 48 times: 192 x 288
    assert sheet.shape == (2 * 2 * 48, 3 * 2 * 48, 3)
    assert sheet[0, 0].tolist() == [0, 0, 0] and sheet[96, 0].tolist() == [1, 1, 1]
    assert sheet[0, 2 * 96].tolist() == [100] * 3 and sheet[96, 2 * 96].tolist() == [101] * 3


def test_no_sheet_rows_no_contact_sheet(tmp_path):
    writer = StepWriter(tmp_path, 1, 2, 2, sheet_rows=0)
    writer.add(*rows(0, 1))
    writer.close()
    assert not (tmp_path / CONTACT_SHEET).exists() and (tmp_path / IMAGES).exists()
