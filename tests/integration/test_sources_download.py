"""Download failure modes against the loopback mirror: mismatch, resume, 404/500, reruns, Kaggle."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import types
from pathlib import Path

import pytest

from proxy_attention.atomic import read_json
from proxy_attention.data.sources import (
    ChecksumMismatch,
    DamagedArchive,
    DownloadError,
    DownloadTooLarge,
    ManualDownloadRequired,
    SourceError,
    download_source,
    prepare_source,
)
from tests.helpers import archives

FOOD = "food-101.tar.gz"


@pytest.fixture
def food(mirror, tmp_path):
    built = archives.food101(tmp_path)
    mirror.files[FOOD] = (tmp_path / FOOD).read_bytes()
    cfg = {"source": "food101", "image_size": 8, "mirror": mirror.url}
    return built, {**cfg, "checksums": built.checksums()}


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_checksum_mismatch_keeps_the_file_under_a_bad_name_and_extracts_nothing(
    mirror, food, tmp_path
):
    _, cfg = food
    cfg = {**cfg, "checksums": {FOOD: "md5:" + "0" * 32}}
    raw = tmp_path / "raw"
    with pytest.raises(ChecksumMismatch, match="food-101.tar.gz: expected md5:0000") as info:
        download_source(cfg, raw)
    assert info.value.kept_as == raw / f"{FOOD}.bad"
    assert _names(raw) == [f"{FOOD}.bad"]
    with pytest.raises(SourceError, match="run the download step first"):
        prepare_source(cfg, raw, tmp_path / "out" / "food")
    assert _names(tmp_path / "out") == []


def test_an_interrupted_download_resumes_with_a_range_request(mirror, food, tmp_path):
    _, cfg = food
    size = len(mirror.files[FOOD])
    mirror.faults[FOOD] = [("cut", size // 3)]
    raw = download_source(cfg, tmp_path / "raw")
    assert [r.range for r in mirror.requests] == [None, f"bytes={size // 3}-"]
    assert (raw / FOOD).read_bytes() == mirror.files[FOOD]
    assert _names(raw) == [FOOD, f"{FOOD}.verified.json"]


def test_a_partial_file_from_an_earlier_run_is_resumed(mirror, food, tmp_path):
    _, cfg = food
    cfg = {**cfg, "download_retries": 1}
    size = len(mirror.files[FOOD])
    mirror.faults[FOOD] = [("cut", 400), ("cut", 300)]  # both attempts of run 1 break
    raw = tmp_path / "raw"
    with pytest.raises(DownloadError, match="partial data kept in food-101.tar.gz.part"):
        download_source(cfg, raw)
    assert (raw / f"{FOOD}.part").stat().st_size == 700
    assert not (raw / FOOD).exists()
    download_source(cfg, raw)
    assert [r.range for r in mirror.requests] == [None, "bytes=400-", "bytes=700-"]
    expected = hashlib.md5(mirror.files[FOOD]).hexdigest()
    assert hashlib.md5((raw / FOOD).read_bytes()).hexdigest() == expected
    assert size > 700


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_are_named_and_leave_no_complete_looking_file(mirror, food, tmp_path, status):
    _, cfg = food
    if status == 404:
        del mirror.files[FOOD]
    else:  # a server error is retried (retries + 1 attempts), then named
        mirror.faults[FOOD] = [("status", 500)] * 2
        cfg = {**cfg, "download_retries": 1}
    raw = tmp_path / "raw"
    with pytest.raises(DownloadError) as info:
        download_source(cfg, raw)
    assert info.value.status == status
    assert info.value.url == f"{mirror.url}/{FOOD}"
    assert f"HTTP {status}" in str(info.value)
    assert _names(raw) == []


def test_an_endless_download_stops_at_the_cap_and_leaves_nothing(mirror, food, tmp_path):
    _, cfg = food
    mirror.faults[FOOD] = [("endless", 0)] * 3  # no Content-Length, Range ignored
    raw = tmp_path / "raw"
    with pytest.raises(DownloadTooLarge, match="more than 100000 bytes arrived, over its cap"):
        download_source({**cfg, "max_download_bytes": 100_000}, raw)
    assert _names(raw) == []  # no partial file: it can only be wrong
    assert mirror.count(FOOD) == 1  # not retried


def test_an_announced_size_over_the_cap_is_refused_before_writing(mirror, food, tmp_path):
    _, cfg = food
    size = len(mirror.files[FOOD])
    raw = tmp_path / "raw"
    with pytest.raises(DownloadTooLarge, match=f"announces {size} bytes, over its cap of 1000"):
        download_source({**cfg, "max_download_bytes": 1000}, raw)
    assert _names(raw) == []


def test_a_stalled_download_is_retried_then_named_and_kept_to_resume(mirror, food, tmp_path):
    _, cfg = food
    mirror.faults[FOOD] = [("trickle", 0)] * 2
    cfg = {**cfg, "download_retries": 1, "download_stall_seconds": 0.3}
    raw = tmp_path / "raw"
    with pytest.raises(DownloadError, match="stalled: .* bytes in 0.3 s .*rerun to resume"):
        download_source(cfg, raw)
    assert _names(raw) == [f"{FOOD}.part"]  # resumable, and not under the final name
    assert mirror.requests[0].range is None and mirror.requests[1].range is not None  # resumed
    raw = download_source(cfg, raw)  # the mirror is well again: the rerun resumes
    assert (raw / FOOD).read_bytes() == mirror.files[FOOD]


def test_a_second_run_downloads_nothing(mirror, tmp_path):
    built = archives.stanford_dogs(tmp_path)
    for path in built.archives:
        mirror.files[path.name] = path.read_bytes()
    cfg = {"source": "stanford_dogs", "image_size": 8, "mirror": mirror.url}
    cfg["checksums"] = built.checksums()
    download_source(cfg, tmp_path / "raw")
    assert len(mirror.requests) == 2
    download_source(cfg, tmp_path / "raw")
    assert len(mirror.requests) == 2


def test_the_mirror_can_come_from_the_environment(mirror, food, tmp_path, monkeypatch):
    _, cfg = food
    monkeypatch.setenv("PROXY_ATTENTION_MIRROR", mirror.url)
    download_source({k: v for k, v in cfg.items() if k != "mirror"}, tmp_path / "raw")
    assert [r.name for r in mirror.requests] == [FOOD]


def test_kaggle_without_credentials_names_where_to_put_the_archive(tmp_path, no_kaggle_credentials):
    raw = tmp_path / "raw"
    with pytest.raises(ManualDownloadRequired) as info:
        download_source({"source": "asl_alphabet", "image_size": 8}, raw)
    message = str(info.value)
    assert "\n" not in message
    assert str(raw / "asl-alphabet.zip") in message
    assert "grassknoted/asl-alphabet" in message
    assert "https://www.kaggle.com/settings/api" in message and "~/.kaggle/kaggle.json" in message
    assert "kaggle" not in sys.modules  # the client is never imported on this path


def test_a_hand_placed_archive_is_verified_like_a_download(tmp_path, no_kaggle_credentials):
    built = archives.plant_village(tmp_path)
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(built.archives[0], raw)
    cfg = {
        "source": "plant_village",
        "image_size": 8,
        "checksums": {built.archives[0].name: "0" * 64},
    }
    with pytest.raises(ChecksumMismatch, match="expected sha256:0000"):
        download_source(cfg, raw)
    assert _names(raw) == ["plantvillage-dataset.zip"]  # the user's file: never moved


def test_an_unpinned_kaggle_archive_is_crc_checked_and_its_sha256_recorded(
    tmp_path, no_kaggle_credentials
):
    built = archives.asl_alphabet(tmp_path)
    data = built.archives[0].read_bytes()
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "asl-alphabet.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(DamagedArchive):
        download_source({"source": "asl_alphabet", "image_size": 8}, raw)
    (raw / "asl-alphabet.zip").write_bytes(data)
    download_source({"source": "asl_alphabet", "image_size": 8}, raw)
    stamp = read_json(raw / "asl-alphabet.zip.verified.json")
    assert stamp["sha256"] == hashlib.sha256(data).hexdigest()


def test_with_credentials_the_official_client_fetches_into_place(tmp_path, monkeypatch):
    """The Kaggle client itself needs the network; a stand-in with its API records the call."""
    built = archives.asl_alphabet(tmp_path)
    calls = []

    class KaggleApi:
        def authenticate(self) -> None:
            calls.append("authenticate")

        def dataset_download_files(self, dataset, path, unzip, quiet):
            calls.append((dataset, unzip))
            shutil.copy(built.archives[0], Path(path) / "asl-alphabet.zip")

    module = types.ModuleType("kaggle.api.kaggle_api_extended")
    module.KaggleApi = KaggleApi
    for name in ("kaggle", "kaggle.api"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "kaggle.api.kaggle_api_extended", module)
    monkeypatch.setenv("KAGGLE_USERNAME", "someone")
    monkeypatch.setenv("KAGGLE_KEY", "not-a-real-key")
    raw = tmp_path / "raw"
    cfg = {"source": "asl_alphabet", "image_size": 8, "checksums": built.checksums()}
    download_source(cfg, raw)
    assert calls == ["authenticate", ("grassknoted/asl-alphabet", False)]
    assert _names(raw) == ["asl-alphabet.zip", "asl-alphabet.zip.verified.json"]
    download_source(cfg, raw)  # verified: the client is not called again
    assert len(calls) == 2


def _copy_without_times(source: Path, target: Path) -> None:
    """`cp -r` without -p: the copies get new modification times."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    for path in target.iterdir():
        os.utime(path, ns=(1, 1))  # whatever the clock, not the stamped time


def test_raw_data_copied_without_its_times_is_reverified_by_content(mirror, food, tmp_path):
    _, cfg = food
    raw = download_source(cfg, tmp_path / "raw")
    copied = tmp_path / "cluster" / "raw"
    _copy_without_times(raw, copied)
    out = prepare_source(cfg, copied, tmp_path / "out" / "food")
    assert (out / "meta.json").exists()
    assert read_json(copied / f"{FOOD}.verified.json")["mtime_ns"] == 1  # paid once
    assert mirror.count(FOOD) == 1  # nothing fetched again


def test_a_copy_with_other_bytes_of_the_same_size_is_not_verified(mirror, food, tmp_path):
    _, cfg = food
    raw = download_source(cfg, tmp_path / "raw")
    copied = tmp_path / "cluster" / "raw"
    _copy_without_times(raw, copied)
    data = bytearray((copied / FOOD).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copied / FOOD).write_bytes(bytes(data))
    with pytest.raises(SourceError, match="missing or not verified; run the download step"):
        prepare_source(cfg, copied, tmp_path / "out" / "food")
