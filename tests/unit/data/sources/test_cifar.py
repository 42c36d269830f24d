"""CIFAR-100 batches are read by a restricted unpickler: data, never code (issue 13, broken 4)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from proxy_attention.data.sources.cifar import _load
from proxy_attention.data.sources.errors import LayoutError


class _WritesAFile:
    """What a crafted archive would pickle: a call made while unpickling."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (Path.write_text, (self.target, "ran"))


def test_a_batch_that_calls_a_function_is_refused_before_the_call(tmp_path):
    target = tmp_path / "pwned"
    batch = tmp_path / "train"
    batch.write_bytes(pickle.dumps({b"fine_labels": [0], b"x": _WritesAFile(target)}, protocol=2))
    with pytest.raises(LayoutError, match=r"train is not a CIFAR-100 batch .*is not allowed"):
        _load(batch)
    assert not target.exists()


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_a_real_batch_layout_loads(tmp_path, protocol):
    data = np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072) % 251
    record = {b"filenames": [b"a.png", b"b.png"], b"fine_labels": [3, 1], b"data": data}
    batch = tmp_path / "train"
    batch.write_bytes(pickle.dumps(record, protocol=protocol))
    loaded = _load(batch)
    assert loaded[b"fine_labels"] == [3, 1] and loaded[b"filenames"] == [b"a.png", b"b.png"]
    np.testing.assert_array_equal(loaded[b"data"], data)


def test_a_pickle_that_is_not_a_dict_is_refused(tmp_path):
    batch = tmp_path / "meta"
    batch.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(LayoutError, match="meta is not a CIFAR-100 batch .a list"):
        _load(batch)
