"""The folder source with split folders (train/ val/ test/), and from a URL with its checksum."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.sources import (
    ChecksumMismatch,
    LayoutError,
    download_source,
    prepare_source,
)
from proxy_attention.data.split import make_split
from tests.helpers.archives import COLORS, image_bytes, write_zip

SIZE = 8


def _tree(counts: dict[str, dict[str, int]]) -> dict[str, bytes]:
    """``{split: {class: n}}`` as zip members under a wrapper folder; class k is COLORS[k]."""
    classes = sorted({name for per in counts.values() for name in per})
    return {
        f"photos/{split}/{name}/{i}.jpg": image_bytes(COLORS[classes.index(name)])
        for split, per in counts.items()
        for name, n in per.items()
        for i in range(n)
    }


def _prepare(tmp_path, members, **cfg):
    archive = write_zip(tmp_path / "photos.zip", members)
    cfg = {"source": "folder", "path": str(archive), "image_size": SIZE, **cfg}
    return open_prepared(prepare_source(cfg, tmp_path / "raw", tmp_path / "prepared"))


def test_train_val_test_folders_are_the_official_split(tmp_path):
    counts = {
        "train": {"ants": 4, "bees": 3},
        "val": {"ants": 2, "bees": 1},
        "test": {"ants": 1, "bees": 2},
    }
    ds = _prepare(tmp_path, _tree(counts))
    assert ds.classes == ["ants", "bees"]
    assert ds.official_split.tolist() == ["train"] * 7 + ["val"] * 3 + ["test"] * 3
    assert ds.labels.tolist() == [0] * 4 + [1] * 3 + [0, 0, 1, 0, 1, 1]
    # every image's colour is its class's: the labels come from the class folders
    assert np.abs(ds.images[:, 0, 0].astype(int) - np.array(COLORS)[ds.labels]).max() <= 4
    split = make_split(ds.labels, 0.15, 0.2, seed=0, official_split=ds.official_split)
    assert split.val.tolist() == [7, 8, 9] and split.test.tolist() == [10, 11, 12]


def test_train_and_valid_folders_keep_val_and_carve_test_from_train(tmp_path):
    counts = {"train": {"a": 10, "b": 10}, "valid": {"a": 3, "b": 3}}
    ds = _prepare(tmp_path, _tree(counts))
    assert (ds.official_split == "val").sum() == 6
    split = make_split(ds.labels, 0.15, 0.2, seed=0, official_split=ds.official_split)
    assert split.val.tolist() == list(range(20, 26))
    assert len(split.test) == 5 and split.test.max() < 20


def test_a_flat_root_of_classes_has_no_official_split(tmp_path):
    ds = _prepare(tmp_path, {k.replace("train/", ""): v for k, v in _tree(
        {"train": {"a": 3, "b": 2}}).items()})  # fmt: skip
    assert ds.classes == ["a", "b"] and ds.official_split is None


def test_a_class_only_in_val_is_refused(tmp_path):
    with pytest.raises(LayoutError, match="not among the classes"):
        _prepare(tmp_path, _tree({"train": {"a": 2}, "val": {"a": 1, "wasps": 1}}))


def test_a_folder_archive_from_a_url_is_fetched_verified_and_prepared(tmp_path, mirror):
    archive = write_zip(tmp_path / "photos.zip", _tree({"train": {"a": 3}, "val": {"a": 1}}))
    mirror.files["photos.zip"] = archive.read_bytes()
    digest = "sha256:" + hashlib.sha256(archive.read_bytes()).hexdigest()
    cfg = {
        "source": "folder",
        "url": f"{mirror.url}/photos.zip",
        "checksums": {"photos.zip": digest},
        "image_size": SIZE,
    }
    raw = download_source(cfg, tmp_path / "raw", manifest=tmp_path / "raw" / "verified.json")
    assert (raw / "photos.zip").read_bytes() == archive.read_bytes()
    manifest = json.loads((raw / "verified.json").read_text())
    assert manifest == {"source": "folder", "files": [{"name": "photos.zip", "sha256": digest[7:]}]}
    ds = open_prepared(prepare_source(cfg, raw, tmp_path / "prepared"))
    assert ds.official_split.tolist() == ["train"] * 3 + ["val"]
    wrong = {**cfg, "checksums": {"photos.zip": "sha256:" + "0" * 64}}
    with pytest.raises(ChecksumMismatch):
        download_source(wrong, tmp_path / "raw2")
    assert not (tmp_path / "raw2" / "photos.zip").exists()
