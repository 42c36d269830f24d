"""The whole DAG on real photos: the hymenoptera ants/bees JPEGs, served over 127.0.0.1 as a
folder-source archive with its checksum, through a proxy step, explain, the notebooks and the
report, to the PDF. CI has the full archive beside the repository (../shared/datasets); a clone
without it runs the committed subset (tests/data: 20 original JPEGs per class and split)."""

from __future__ import annotations

import hashlib
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from proxy_attention.atomic import read_json
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.sources.folders import is_image_name
from proxy_attention.data.split import load_split
from proxy_attention.proxy.artifacts import load_step
from tests.e2e.conftest import ROOT, make_project, run, tiny_params
from tests.e2e.test_pipeline import pdf_text
from tests.helpers.server import MirrorServer

pytestmark = pytest.mark.e2e

FULL = ROOT.parent / "shared" / "datasets" / "hymenoptera_data.zip"
FULL_SHA256 = "83abc6bb47d8c29f0677d430cc73c5caea20ab80a161ee88f371756a171a476b"
SUBSET = ROOT / "tests" / "data" / "hymenoptera_subset.zip"
THRESHOLD = 0.6


def _archive() -> Path:
    return FULL if FULL.is_file() else SUBSET


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
    params["grid"].update(datasets=["ants_bees"], augmentations=["basic"])
    params["grid"]["proxy"].update(thresholds=[THRESHOLD], subsets=[0.5])
    params["explain"].update(max_images=16, steps=8)
    return params


@pytest.fixture
def mirror():
    server = MirrorServer()
    yield server
    server.close()


def test_real_photos_through_the_whole_dag_to_the_pdf(tmp_path, mirror):
    archive = _archive()
    data = archive.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if archive == FULL:
        assert sha256 == FULL_SHA256
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
    if FULL.is_file():  # byte for byte the originals
        with zipfile.ZipFile(SUBSET) as sub, zipfile.ZipFile(FULL) as full:
            assert all(sub.read(n) == full.read(n) for n in sub.namelist())
