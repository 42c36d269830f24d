"""Files the user placed are never deleted or moved; 5xx is retried; caps stop archive bombs."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from proxy_attention.atomic import read_json
from proxy_attention.data.sources import (
    ChecksumMismatch,
    DamagedArchive,
    download_source,
    prepare_source,
)
from proxy_attention.data.sources import download as download_module
from proxy_attention.data.sources.errors import ArchiveTooLarge
from proxy_attention.data.sources.extract import safe_extract
from tests.helpers import archives

FOOD = "food-101.tar.gz"


def test_a_hand_placed_archive_that_does_not_match_stays_where_it_is(
    tmp_path, no_kaggle_credentials
):
    built = archives.plant_village(tmp_path)
    raw = tmp_path / "raw"
    raw.mkdir()
    placed = raw / built.archives[0].name
    shutil.copy(built.archives[0], placed)
    data = placed.read_bytes()
    cfg = {"source": "plant_village", "image_size": 8, "checksums": {placed.name: "0" * 64}}
    with pytest.raises(ChecksumMismatch) as info:
        download_source(cfg, raw)
    message = str(info.value)
    assert "delete" not in message and "left as it is" in message and "\n" not in message
    assert placed.read_bytes() == data and info.value.kept_as is None


def test_a_damaged_hand_placed_archive_is_never_called_deletable(tmp_path, no_kaggle_credentials):
    built = archives.asl_alphabet(tmp_path)
    raw = tmp_path / "raw"
    raw.mkdir()
    data = built.archives[0].read_bytes()
    (raw / "asl-alphabet.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(DamagedArchive) as info:
        download_source({"source": "asl_alphabet", "image_size": 8}, raw)
    assert "delete" not in str(info.value) and "did not download" in str(info.value)
    assert (raw / "asl-alphabet.zip").read_bytes() == data[: len(data) // 2]


def test_a_verified_hand_placed_archive_satisfies_the_download_without_network(
    tmp_path, no_kaggle_credentials
):
    built = archives.asl_alphabet(tmp_path)
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(built.archives[0], raw / "asl-alphabet.zip")
    cfg = {"source": "asl_alphabet", "image_size": 8, "checksums": built.checksums()}
    download_source(cfg, raw, manifest=raw / "verified.json")
    manifest = read_json(raw / "verified.json")
    assert [f["name"] for f in manifest["files"]] == ["asl-alphabet.zip"]
    assert read_json(raw / "asl-alphabet.zip.verified.json")["origin"] == "placed"


def test_server_errors_are_retried_with_bounded_backoff(mirror, tmp_path, monkeypatch):
    built = archives.food101(tmp_path)
    mirror.files[FOOD] = (tmp_path / FOOD).read_bytes()
    mirror.faults[FOOD] = [("status", 503), ("status", 500)]
    waits: list[float] = []
    monkeypatch.setattr(download_module.time, "sleep", waits.append)
    cfg = {
        "source": "food101",
        "image_size": 8,
        "mirror": mirror.url,
        **{"checksums": built.checksums()},
    }
    raw = download_source(cfg, tmp_path / "raw")
    assert (raw / FOOD).read_bytes() == mirror.files[FOOD]
    assert waits == [download_module.backoff(0), download_module.backoff(1)] == [0.5, 1.0]
    assert download_module.backoff(30) == download_module.BACKOFF_MAX
    assert read_json(raw / f"{FOOD}.verified.json")["origin"] == "download"


def _bomb(path: Path, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("class/a.png", b"\0" * size)
    return path


def test_an_archive_over_the_extracted_bytes_cap_stops_before_writing(tmp_path):
    bomb = _bomb(tmp_path / "bomb.zip", 5_000_000)
    assert bomb.stat().st_size < 20_000
    with pytest.raises(ArchiveTooLarge, match=r"max_extracted_bytes = 1000000 bytes"):
        safe_extract(bomb, tmp_path / "out", max_bytes=1_000_000)
    assert not (tmp_path / "out").exists()
    assert bomb.exists()  # the user's archive is left alone
    safe_extract(bomb, tmp_path / "out", max_bytes=10_000_000)
    assert (tmp_path / "out" / "class" / "a.png").stat().st_size == 5_000_000


def test_a_tar_over_the_cap_is_stopped_too(tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(b"\0" * 3_000_000)
    with tarfile.open(tmp_path / "bomb.tar.gz", "w:gz") as archive:
        archive.add(source, "class/big.bin")
        archive.add(source, "class/big2.bin")
    with pytest.raises(ArchiveTooLarge, match="class/big2.bin"):
        safe_extract(tmp_path / "bomb.tar.gz", tmp_path / "out", max_bytes=4_000_000)
    assert not (tmp_path / "out").exists()


def test_prepare_reads_the_cap_from_the_dataset_entry(tmp_path):
    archive = _bomb(tmp_path / "folder.zip", 2_000_000)
    cfg = {"source": "folder", "path": str(archive), "image_size": 8, "max_extracted_bytes": 1000}
    with pytest.raises(ArchiveTooLarge):
        prepare_source(cfg, tmp_path / "raw", tmp_path / "prepared" / "x")
    assert sorted(p.name for p in (tmp_path / "prepared").iterdir()) == []


def test_a_full_disk_while_extracting_is_not_called_a_damaged_archive(tmp_path, monkeypatch):
    import errno

    from proxy_attention.disk import describe

    archive = _bomb(tmp_path / "folder.zip", 1000)

    def full(self, member, path=None, pwd=None):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out"))

    monkeypatch.setattr(zipfile.ZipFile, "extract", full)
    with pytest.raises(OSError) as info:
        safe_extract(archive, tmp_path / "out")
    assert not isinstance(info.value, DamagedArchive)
    line = describe(info.value)
    assert line.startswith(f"cannot write {tmp_path / 'out'}: no space left on the device")
    assert "delete" not in line and archive.exists() and not (tmp_path / "out").exists()
