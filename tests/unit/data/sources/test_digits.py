"""The embedded digits go through the common prepared format."""

import numpy as np
from sklearn.datasets import load_digits

from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.sources import prepare_source


def test_digits_prepared_shapes_dtype_and_label_counts(tmp_path):
    prepare_source({"source": "digits", "image_size": 24}, tmp_path / "raw", tmp_path / "out")
    data = open_prepared(tmp_path / "out")
    assert data.images.shape == (1797, 24, 24, 3)
    assert data.images.dtype == np.uint8
    assert isinstance(data.images, np.memmap)
    np.testing.assert_array_equal(np.bincount(data.labels), np.bincount(load_digits().target))
    assert data.classes == [str(d) for d in range(10)]
    # grey ink replicated to RGB, and the full 0..255 range is used
    np.testing.assert_array_equal(data.images[..., 0], data.images[..., 2])
    assert data.images.max() == 255 and data.images.min() == 0
