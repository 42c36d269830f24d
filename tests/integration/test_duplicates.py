"""The same photo in two splits: prepare counts it, the split step refuses a test image that
is a training image (unless split.keep_duplicates), near-duplicates are counted (issue 26)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import yaml
from PIL import Image

from proxy_attention.atomic import read_json
from proxy_attention.cli import main
from proxy_attention.data.duplicates import NEAR_BITS, tally
from tests.helpers.repo import ROOT

SIZE = 48


def _photo(seed: int) -> Image.Image:
    """A smooth random picture (a 4x4 grid of colours, upscaled): phash tells them apart."""
    cells = np.random.default_rng(seed).integers(0, 255, (4, 4, 3), np.uint8)
    return Image.fromarray(cells).resize((96, 96), Image.Resampling.BICUBIC)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


# Seeds whose pictures are more than NEAR_BITS apart from each other at SIZE (checked below).
SEEDS = {"train": [0, 1, 2, 5, 6, 7], "val": [10, 11], "test": [20, 21, 22]}


@pytest.fixture
def photos(tmp_path):
    """train/ val/ test/ of two classes; test/cats/copy.png is the bytes of a training photo,
    val/dogs/resaved.jpg a JPEG re-save of another (a near-duplicate, not byte-identical)."""
    root = tmp_path / "photos"
    for split, seeds in SEEDS.items():
        for i, seed in enumerate(seeds):
            folder = root / split / ("cats" if i % 2 == 0 else "dogs")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{seed}.png").write_bytes(_png(_photo(seed)))
    (root / "test" / "cats" / "copy.png").write_bytes((root / "train/cats/0.png").read_bytes())
    (root / "val" / "dogs" / "resaved.jpg").write_bytes(_jpeg(_photo(1), 90))
    return root


def _params(tmp_path, photos, **split) -> str:
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["datasets"] = {"photos": {"source": "folder", "path": str(photos), "image_size": SIZE}}
    params["grid"].update(datasets=["photos"])
    params["split"].update(split)
    path = tmp_path / f"params{len(split)}.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return str(path)


def _prepare(tmp_path, photos) -> str:
    params, out = _params(tmp_path, photos), tmp_path / "prepared" / "photos"
    assert main(["prepare", "--params", params, "--dataset", "photos", "--raw", str(tmp_path)]
                + ["--out", str(out)]) == 0  # fmt: skip
    return str(out)


def test_the_seeds_make_distinct_pictures():
    images = [np.asarray(_photo(s).resize((SIZE, SIZE))) for v in SEEDS.values() for s in v]
    hashes = np.array(tally(images).near, dtype=np.uint64)
    distances = np.bitwise_count(hashes[:, None] ^ hashes[None, :])
    np.fill_diagonal(distances, 64)
    assert distances.min() > NEAR_BITS


def test_prepare_counts_duplicates_across_the_official_splits(tmp_path, photos, capsys):
    prepared = _prepare(tmp_path, photos)
    duplicates = read_json(f"{prepared}/report.json")["duplicates"]
    assert duplicates["exact"] == {"train/val": 0, "train/test": 1, "val/test": 0}
    assert duplicates["near"] == {"train/val": 1, "train/test": 1, "val/test": 0}
    assert duplicates["test_leaked"] == 1 and duplicates["repeated"] == {"exact": 1}
    assert "1 images of the official test split are byte-identical" in capsys.readouterr().err


def test_the_split_step_refuses_a_test_image_that_is_a_training_image(tmp_path, photos, capsys):
    prepared = _prepare(tmp_path, photos)
    capsys.readouterr()
    out = tmp_path / "splits" / "photos.npz"
    argv = ["split", "--dataset", "photos", "--prepared", prepared, "--out", str(out)]
    assert main([*argv, "--params", _params(tmp_path, photos)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "error: photos: 1 test images are byte-identical to training or validation images, so "
        "the test accuracy would measure memory; remove the duplicates from the source, or set "
        "split.keep_duplicates: true to keep them"
    )
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
    assert main([*argv, "--params", _params(tmp_path, photos, keep_duplicates=True)]) == 0
    written = json.loads((tmp_path / "splits" / "photos.duplicates.json").read_text())
    assert written["exact"]["train/test"] == 1 and written["near"]["train/val"] == 1
    assert out.exists()
