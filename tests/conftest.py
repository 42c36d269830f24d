"""Shared test setup: few threads (CI has 2 cores) and deterministic torch."""

import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(1)


import numpy as np  # noqa: E402
import pytest  # noqa: E402

from proxy_attention.data.prepared import write_prepared  # noqa: E402
from proxy_attention.data.split import make_split, save_split  # noqa: E402


def square_images(count: int, size: int = 16, classes: int = 3, seed: int = 0):
    """Learnable toy images: class k has a bright square in corner k, on mild noise."""
    rng = np.random.default_rng(seed)
    corners = [(0, 0), (0, size // 2), (size // 2, 0), (size // 2, size // 2)]
    for i in range(count):
        label = i % classes
        image = rng.integers(0, 60, size=(size, size, 3), dtype=np.uint8)
        top, left = corners[label]
        image[top : top + size // 2, left : left + size // 2] = 230
        yield image, label, None


@pytest.fixture
def toy_dataset(tmp_path):
    """A prepared toy dataset (90 images, 3 classes, 16 px) and its split."""
    prepared = write_prepared(
        tmp_path / "prepared",
        square_images(90),
        capacity=90,
        image_size=16,
        classes=["a", "b", "c"],
        meta={"source": "toy"},
    )
    labels = np.arange(90) % 3
    split_path = tmp_path / "split.npz"
    save_split(split_path, make_split(labels, 0.2, 0.2, seed=0))
    return prepared, split_path


@pytest.fixture
def params():
    """The shipped params.yaml, validated, for tests to adjust; without its leak check, so that
    a test's grid is the product of its lists (tests/unit/report/test_leak.py adds one)."""
    from proxy_attention.params import load_params

    params = load_params(Path(__file__).resolve().parents[1] / "params.yaml")
    params["grid"]["leak_check"] = {}
    return params
