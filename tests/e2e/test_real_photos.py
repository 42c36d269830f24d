"""The whole DAG on real photos: the hymenoptera ants/bees JPEGs, served over 127.0.0.1 as a
folder-source archive with its checksum, through a proxy step, explain, the notebooks and the
report, to the PDF. The photos are the committed subset of the original archive (tests/data: 20
original JPEGs per class and split, in the archive's layout), so every clone runs the same test."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from proxy_attention.atomic import read_json
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.sources.folders import is_image_name
from proxy_attention.data.split import load_split
from proxy_attention.proxy.artifacts import load_step
from tests.e2e.conftest import ROOT, make_project, run, tiny_params
from tests.e2e.test_pipeline import pdf_text
from tests.helpers.server import MirrorServer

pytestmark = pytest.mark.e2e

SUBSET = ROOT / "tests" / "data" / "hymenoptera_subset.zip"
SUBSET_SHA256 = "98e83dd36d8e20159fe5b3c990cef0ee57e7b9d9287edd8456a46ab439e2f3cf"
THRESHOLD = 0.6


def _photos(archive: Path) -> Counter:
    """(split folder, class folder) -> number of image files in the archive."""
    with zipfile.ZipFile(archive) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/") and is_image_name(n)]
    return Counter(tuple(name.split("/")[1:3]) for name in names)


def _params(url: str, sha256: str) -> dict:
    params = tiny_params()
    params["datasets"] = {
        "ants_bees": {
            "source": "folder",
            "url": url,
            "checksums": {url.rsplit("/", 1)[-1]: f"sha256:{sha256}"},
            "image_size": 64,
        }
    }
    params["train"]["num_workers"] = 4  # asked for, but basic is gathered on the device
    # 32 training photos: small batches and two epochs give the model a few dozen steps before
    # its proxy step, enough for its CAMs to have a salient region (one step leaves them flat)
    params["train"]["batch_size"] = 8
    params["grid"].update(datasets=["ants_bees"], augmentations=["basic"], schedules=[[2, "p", 1]])
    params["grid"]["proxy"].update(thresholds=[THRESHOLD], subsets=[0.5])
    params["explain"].update(max_images=16, steps=8)
    return params


@pytest.fixture
def mirror():
    server = MirrorServer()
    yield server
    server.close()


def test_real_photos_through_the_whole_dag_to_the_pdf(tmp_path, mirror):
    archive = SUBSET
    data = archive.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    assert sha256 == SUBSET_SHA256
    mirror.files["hymenoptera.zip"] = data
    project = make_project(tmp_path / "project", _params(f"{mirror.url}/hymenoptera.zip", sha256))
    run(["snakemake", "--cores", "2"], project, timeout=1200)
    assert mirror.count("hymenoptera.zip") == 1  # fetched through the download path, once

    photos = _photos(archive)
    prepared = project / "data" / "prepared" / "ants_bees"
    report = read_json(prepared / "report.json")
    assert report["total"] == report["written"] == sum(photos.values())  # every photo decoded
    assert report["skipped"] == []
    ds = open_prepared(prepared)
    assert ds.classes == ["ants", "bees"]
    split = load_split(project / "data" / "splits" / "ants_bees.npz")
    val_photos = photos["val", "ants"] + photos["val", "bees"]
    assert split.val.tolist() == np.flatnonzero(ds.official_split == "val").tolist()
    assert len(split.val) == val_photos  # the val/ folder is the validation set, as shipped
    assert np.bincount(ds.labels[split.val]).tolist() == [
        photos["val", "ants"],
        photos["val", "bees"],
    ]
    assert set(split.test) <= set(np.flatnonzero(ds.official_split == "train"))

    _assert_proxies_change_exactly_the_salient_pixels(project)
    text = pdf_text(project / "thesis" / "build" / "thesis.pdf")
    assert "ants" in text and "bees" in text  # the report's per-class table lists both
    metrics = read_json(next((project / "data" / "runs").rglob("metrics.json")))
    assert metrics["device_info"]["type"] == "cpu" and metrics["device_info"]["amp"] is False
    # 4 asked for; basic's batches are gathered and augmented on the device, without workers,
    # and on the CPU the memory-mapped store is not copied.
    assert metrics["device_info"]["loader_workers"] == 0
    assert metrics["device_info"]["resident_data"] is False


def _assert_proxies_change_exactly_the_salient_pixels(project: Path) -> None:
    steps = list((project / "data" / "runs").rglob("proxy/step-01"))
    assert len(steps) == 1
    step = load_step(steps[0])
    assert len(step["indices"]) > 0
    maps = np.asarray(step["maps"], dtype=np.float32)[..., None]
    images = np.asarray(step["images"]).astype(int)
    originals = np.asarray(step["originals"]).astype(int)
    salient = np.broadcast_to(maps > THRESHOLD + 0.01, images.shape)
    calm = np.broadcast_to(maps < THRESHOLD - 0.01, images.shape)
    assert salient.any() and calm.any()
    assert (images[calm] == originals[calm]).all()
    lit = salient & (originals >= 8)  # (1 - 0.8 M) x keeps a black pixel black
    assert (images[lit] < originals[lit]).mean() > 0.99


def test_the_committed_subset_is_original_photos_in_the_archive_layout():
    photos = _photos(SUBSET)
    assert photos == {(s, c): 20 for s in ("train", "val") for c in ("ants", "bees")}
    assert SUBSET.stat().st_size <= 10 * 2**20
    with zipfile.ZipFile(SUBSET) as zf:
        assert all(name.startswith("hymenoptera_data/") for name in zf.namelist())
        # Files as the archive holds them (its JPEGs, and the one GIF it has among the ants),
        # each in the format its name says.
        formats = {
            (n.rsplit(".", 1)[-1].lower(), Image.open(io.BytesIO(zf.read(n))).format)
            for n in zf.namelist()
            if is_image_name(n)
        }
        assert formats == {("jpg", "JPEG"), ("jpeg", "JPEG"), ("gif", "GIF")}
