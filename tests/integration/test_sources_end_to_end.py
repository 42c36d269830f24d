"""Every source end to end: miniature archives in the real layouts, served on 127.0.0.1."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from proxy_attention.atomic import read_json
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.sources import download_source, prepare_source
from tests.helpers import archives
from tests.helpers.archives import COLORS, Built

SIZE = 16


def _serve(mirror, built: Built) -> None:
    for path in built.archives:
        mirror.files[path.name] = path.read_bytes()


def _cfg(source: str, mirror, built: Built, **extra) -> dict:
    return {
        "source": source,
        "image_size": SIZE,
        "mirror": mirror.url,
        "checksums": built.checksums(),
        **extra,
    }


def _check(out: Path, built: Built, has_split: bool) -> None:
    ds = open_prepared(out)
    assert ds.classes == built.classes
    assert ds.images.shape == (sum(built.train_counts) + sum(built.test_counts), SIZE, SIZE, 3)
    expected = np.add(built.train_counts, built.test_counts)
    assert np.bincount(ds.labels, minlength=len(built.classes)).tolist() == expected.tolist()
    if has_split:
        for k in range(len(built.classes)):
            in_class = ds.labels == k
            assert int(np.sum(in_class & (ds.official_split == "train"))) == built.train_counts[k]
            assert int(np.sum(in_class & (ds.official_split == "test"))) == built.test_counts[k]
    else:
        assert ds.official_split is None
    # Each class is one solid colour: every prepared image must carry its label's colour.
    means = ds.images.reshape(len(ds), -1, 3).mean(axis=1)
    np.testing.assert_allclose(means, np.array(COLORS)[ds.labels], atol=6)
    report = read_json(out / "report.json")
    assert report["total"] == report["written"] == len(ds)
    assert report["skipped_count"] == 0


@pytest.mark.parametrize(
    ("source", "builder", "extra"),
    [
        ("stanford_dogs", archives.stanford_dogs, {}),
        ("imagenette", archives.imagenette, {}),
        ("imagenette", lambda d: archives.imagenette(d, "imagenette2-160"), {"variant": "160px"}),
        ("food101", archives.food101, {}),
    ],
)
def test_url_sources_download_and_prepare(mirror, tmp_path, source, builder, extra):
    built = builder(tmp_path)
    _serve(mirror, built)
    raw = download_source(_cfg(source, mirror, built, **extra), tmp_path / "raw")
    assert sorted(p.name for p in raw.iterdir() if not p.name.endswith(".json")) == sorted(
        p.name for p in built.archives
    )
    out = prepare_source(_cfg(source, mirror, built, **extra), raw, tmp_path / "prepared")
    _check(out, built, has_split=True)
    # The extraction folder next to the output is gone: only the prepared dataset remains.
    assert (
        sorted(p.name for p in (tmp_path / "prepared").parent.iterdir() if p.name[0] == ".") == []
    )


def test_cifar100_pickles_keep_pixels_labels_and_split(mirror, tmp_path):
    built = archives.cifar100(tmp_path)
    _serve(mirror, built)
    cfg = _cfg("cifar100", mirror, built)
    out = prepare_source(cfg, download_source(cfg, tmp_path / "raw"), tmp_path / "prepared")
    ds = open_prepared(out)
    assert ds.classes == ["apple", "bear", "castle"]
    assert ds.official_split.tolist() == ["train"] * 9 + ["test"] * 4
    # Batches keep their order; image j of a batch is the solid colour (j, 40 * label, 7).
    expected = []
    for counts in (built.train_counts, built.test_counts):
        labels = [k for k, n in enumerate(counts) for _ in range(n)]
        expected += [(j, k) for j, k in enumerate(labels[::2] + labels[1::2])]
    assert ds.labels.tolist() == [k for _, k in expected]
    for image, (j, k) in zip(ds.images, expected, strict=True):
        assert (image == np.array(archives.cifar_color(j, k), np.uint8)).all()


@pytest.mark.parametrize(
    ("source", "builder", "extra", "n_per_class"),
    [
        ("asl_alphabet", archives.asl_alphabet, {}, None),
        ("plant_village", archives.plant_village, {}, None),
        ("plant_village", archives.plant_village, {"variant": "segmented"}, 90),
    ],
)
def test_kaggle_sources_from_a_hand_placed_archive(
    tmp_path, no_kaggle_credentials, source, builder, extra, n_per_class
):
    (tmp_path / "built").mkdir()
    built = builder(tmp_path / "built")
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(built.archives[0], raw / built.archives[0].name)
    cfg = {"source": source, "image_size": SIZE, "checksums": built.checksums(), **extra}
    out = prepare_source(cfg, download_source(cfg, raw), tmp_path / "prepared")
    if n_per_class is None:
        _check(out, built, has_split=False)
    else:  # the segmented variant of the miniature archive is plain grey
        ds = open_prepared(out)
        assert ds.classes == built.classes
        assert (ds.images == n_per_class).all()


def test_a_subset_is_chosen_per_class_and_split_before_decoding(mirror, tmp_path):
    built = archives.food101(tmp_path, train=(4, 4, 4), test=(2, 2, 2))
    _serve(mirror, built)
    cfg = _cfg("food101", mirror, built, max_per_class=3, seed=5)
    out = prepare_source(cfg, download_source(cfg, tmp_path / "raw"), tmp_path / "prepared")
    ds = open_prepared(out)
    # 3 per class shared 4:2 between the official splits -> 2 train + 1 test per class.
    assert np.bincount(ds.labels).tolist() == [3, 3, 3]
    assert [int(np.sum((ds.labels == k) & (ds.official_split == "test"))) for k in range(3)] == [
        1,
        1,
        1,
    ]
    assert read_json(out / "meta.json")["selection"]["listed"] == 18


def test_digits_needs_no_download(tmp_path):
    cfg = {"source": "digits", "image_size": 8, "max_per_class": 4}
    raw = download_source(cfg, tmp_path / "raw")
    assert list(raw.iterdir()) == []
    ds = open_prepared(prepare_source(cfg, raw, tmp_path / "prepared"))
    assert ds.images.shape == (40, 8, 8, 3)
    assert np.bincount(ds.labels).tolist() == [4] * 10
