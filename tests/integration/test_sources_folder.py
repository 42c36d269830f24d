"""The generic folder source: directories and archives, odd image modes, bad files, limits."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from proxy_attention.atomic import read_json
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.sources import (
    LayoutError,
    TooManyBadImages,
    UnsafeArchive,
    download_source,
    prepare_source,
)
from proxy_attention.data.sources.select import select_subset
from proxy_attention.data.sources.spec import Item

SIZE = 8


def _save(path: Path, image: Image.Image, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, fmt)


def _mixed_tree(root: Path) -> None:
    """cats: 3 RGB + greyscale + RGBA + corrupt; dogs: 2 RGB + CMYK + palette + truncated."""
    for i in range(3):
        _save(root / "cats" / f"c{i}.jpg", Image.new("RGB", (30, 20), (200, 30, 30)), "JPEG")
    _save(root / "cats" / "nested" / "grey.png", Image.new("L", (9, 9), 60), "PNG")
    _save(root / "cats" / "alpha.png", Image.new("RGBA", (9, 9), (0, 0, 0, 0)), "PNG")
    (root / "cats" / "corrupt.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    (root / "cats" / "notes.txt").write_text("not an image: ignored")
    (root / "cats" / ".hidden.jpg").write_bytes(b"ignored")
    for i in range(2):
        _save(root / "dogs" / f"d{i}.JPG", Image.new("RGB", (20, 30), (30, 30, 200)), "JPEG")
    _save(root / "dogs" / "ink.jpg", Image.new("CMYK", (9, 9), (0, 0, 0, 0)), "JPEG")
    palette = Image.new("P", (9, 9), 0)
    palette.putpalette([10, 250, 10] + [0] * 765)
    _save(root / "dogs" / "pal.gif", palette, "GIF")
    noisy = np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, "JPEG")
    (root / "dogs" / "cut.jpg").write_bytes(buffer.getvalue()[:700])


def test_a_folder_with_odd_modes_and_bad_files(tmp_path):
    _mixed_tree(tmp_path / "data")
    cfg = {"source": "folder", "path": str(tmp_path / "data"), "image_size": SIZE}
    cfg["max_bad_fraction"] = 0.25
    out = prepare_source(cfg, download_source(cfg, tmp_path / "raw"), tmp_path / "prepared")
    ds = open_prepared(out)
    assert ds.classes == ["cats", "dogs"]
    assert np.bincount(ds.labels).tolist() == [5, 4]
    assert ds.official_split is None
    report = read_json(out / "report.json")
    assert report["total"] == 11 and report["written"] == 9
    assert sorted(s["file"] for s in report["skipped"]) == ["cats/corrupt.jpg", "dogs/cut.jpg"]
    assert report["converted"] == {"L": 1, "RGBA": 1, "CMYK": 1, "P": 1}
    assert read_json(out / "meta.json")["alpha"] == "composite on white"
    # Files are sorted within a class: alpha, c0..c2, nested/grey | d0, d1, ink, pal.
    colours = ds.images[:, 0, 0].astype(int)
    expected = [
        (255, 255, 255), (200, 30, 30), (200, 30, 30), (200, 30, 30), (60, 60, 60),
        (30, 30, 200), (30, 30, 200), (255, 255, 255), (10, 250, 10),
    ]  # fmt: skip
    assert np.abs(colours - np.array(expected)).max() <= 4


def test_too_many_bad_files_fail_with_a_message_and_write_nothing(tmp_path):
    _mixed_tree(tmp_path / "data")
    cfg = {"source": "folder", "path": str(tmp_path / "data"), "image_size": SIZE}
    with pytest.raises(TooManyBadImages, match=r"2 of 11 images .* max_bad_fraction=0.1"):
        prepare_source({**cfg, "max_bad_fraction": 0.1}, tmp_path / "raw", tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


@pytest.mark.parametrize("fmt", ["zip", "gztar", "tar"])
def test_a_folder_archive_with_a_wrapper_folder(tmp_path, fmt):
    for k, name in enumerate(["b_class", "a_class"]):
        for i in range(k + 2):
            _save(
                tmp_path / "src" / "wrapper" / name / f"{i}.png", Image.new("L", (5, 5), 9), "PNG"
            )
    archive = shutil.make_archive(str(tmp_path / "images"), fmt, tmp_path / "src")
    cfg = {"source": "folder", "path": archive, "image_size": SIZE}
    ds = open_prepared(prepare_source(cfg, tmp_path / "raw", tmp_path / "prepared"))
    assert ds.classes == ["a_class", "b_class"]
    assert np.bincount(ds.labels).tolist() == [3, 2]
    assert tarfile.is_tarfile(archive) == (fmt != "zip")


def test_selection_is_stratified_seeded_and_exact():
    items = [Item(f"a{i}", 0, "train") for i in range(6)] + [
        Item(f"t{i}", 0, "test") for i in range(3)
    ]
    items += [Item(f"b{i}", 1, None) for i in range(2)]
    chosen = select_subset(items, max_per_class=3, fraction=None, seed=1)
    # Class 0: quota 3 shared 6:3 -> 2 train + 1 test; class 1 has only 2 -> both.
    assert [i.split for i in chosen if i.label == 0].count("train") == 2
    assert [i.split for i in chosen if i.label == 0].count("test") == 1
    assert [i.key for i in chosen if i.label == 1] == ["b0", "b1"]
    assert chosen == select_subset(items, max_per_class=3, fraction=None, seed=1)
    assert chosen == sorted(chosen, key=items.index)  # listing order is kept
    # fraction 0.5: ceil(4.5) = 5 for class 0 -> shares 3.33/1.67 -> 3 train + 2 test.
    half = select_subset(items, max_per_class=None, fraction=0.5, seed=0)
    assert [i.split for i in half if i.label == 0].count("test") == 2
    assert len(half) == 5 + 1
    picks = {tuple(i.key for i in select_subset(items, 2, None, seed)) for seed in range(8)}
    assert len(picks) > 1  # the seed matters


@pytest.mark.parametrize("evil", ["../escape.png", "symlink"])
def test_an_unsafe_archive_is_refused_by_prepare_and_leaves_nothing(tmp_path, evil):
    archive = tmp_path / "data.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        good = io.BytesIO()
        Image.new("RGB", (4, 4)).save(good, "PNG")
        info = tarfile.TarInfo("cls/a.png")
        info.size = len(good.getvalue())
        tf.addfile(info, io.BytesIO(good.getvalue()))
        bad = tarfile.TarInfo("cls/link.png" if evil == "symlink" else evil)
        if evil == "symlink":
            bad.type, bad.linkname = tarfile.SYMTYPE, "../../../outside.png"
        tf.addfile(bad, io.BytesIO(b""))
    cfg = {"source": "folder", "path": str(archive), "image_size": SIZE}
    with pytest.raises(UnsafeArchive):
        prepare_source(cfg, tmp_path / "raw", tmp_path / "out" / "prepared")
    assert list((tmp_path / "out").iterdir()) == []
    assert not (tmp_path / "escape.png").exists()


def test_empty_class_folders_are_dropped_and_listed_in_the_report(tmp_path):
    root = tmp_path / "tree"
    for name, colour in (("ants", (200, 30, 30)), ("cats", (30, 200, 30))):
        for i in range(3):
            _save(root / name / f"{i}.png", Image.new("RGB", (9, 9), colour), "PNG")
    (root / "bees").mkdir()  # between the two: labels after it must shift down
    (root / "ducks" / "nested").mkdir(parents=True)
    (root / "ducks" / "readme.txt").write_text("no images here")
    cfg = {"source": "folder", "path": str(root), "image_size": SIZE}
    out = prepare_source(cfg, tmp_path / "raw", tmp_path / "prepared")
    data = open_prepared(out)
    assert data.classes == ["ants", "cats"]
    assert data.labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert (np.asarray(data.images[3])[0, 0] == (30, 200, 30)).all()
    assert read_json(out / "report.json")["dropped_classes"] == ["bees", "ducks"]


CAFE_NFC, CAFE_NFD = "caf\u00e9", "cafe\u0301"  # one name, typed composed and decomposed


def test_class_names_in_two_unicode_forms_are_refused(tmp_path):
    root = tmp_path / "tree"
    for name in (CAFE_NFC, CAFE_NFD, "tea"):
        _save(root / name / "0.png", Image.new("RGB", (9, 9), (9, 9, 9)), "PNG")
    if len(list(root.iterdir())) < 3:
        pytest.fail(
            "this file system merges Unicode forms itself; the probe needs one that doesn't"
        )
    cfg = {"source": "folder", "path": str(root), "image_size": SIZE}
    with pytest.raises(LayoutError, match="are one name written in two Unicode forms; merge"):
        prepare_source(cfg, tmp_path / "raw", tmp_path / "prepared")


def test_a_class_in_another_unicode_form_under_test_is_the_same_class(tmp_path):
    root = tmp_path / "tree"
    for split, cafe in (("train", CAFE_NFC), ("test", CAFE_NFD)):
        for name in (cafe, "tea"):
            for i in range(2):
                _save(root / split / name / f"{i}.png", Image.new("RGB", (9, 9), (9, 9, 9)), "PNG")
    cfg = {"source": "folder", "path": str(root), "image_size": SIZE}
    data = open_prepared(prepare_source(cfg, tmp_path / "raw", tmp_path / "prepared"))
    assert data.classes == [CAFE_NFC, "tea"]
    assert data.labels.tolist() == [0, 0, 1, 1, 0, 0, 1, 1]


def test_a_source_with_one_class_says_so(tmp_path):
    root = tmp_path / "tree"
    for i in range(3):
        _save(root / "cats" / f"{i}.png", Image.new("RGB", (9, 9), (9, 9, 9)), "PNG")
    cfg = {"source": "folder", "path": str(root), "image_size": SIZE}
    with pytest.raises(LayoutError, match="holds images but no class folders: one class is not"):
        prepare_source(cfg, tmp_path / "raw", tmp_path / "prepared")
