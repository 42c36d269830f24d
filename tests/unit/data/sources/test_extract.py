"""Safe extraction: good archives extract exactly; unsafe ones are refused and leave nothing."""

from __future__ import annotations

import io
import tarfile
import warnings
import zipfile
from pathlib import Path

import pytest

from proxy_attention.data.sources.errors import DamagedArchive, UnsafeArchive
from proxy_attention.data.sources.extract import safe_extract


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz" if path.suffix == ".gz" else "w") as tf:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tf.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                tf.addfile(info, io.BytesIO(member[1]))
    return path


def _link(name: str, target: str, hard: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
    info.linkname = target
    return info


def _leftovers(folder: Path, archive: Path) -> list[str]:
    """Everything in ``folder`` except the archive itself (temp dirs included)."""
    return sorted(p.name for p in folder.iterdir() if p != archive)


def test_a_good_tar_gz_extracts_exactly(tmp_path):
    archive = _tar(
        tmp_path / "a.tar.gz",
        [("top/a.txt", b"alpha"), ("top/sub/b.txt", b"beta"), _link("top/sub/c", "../a.txt")],
    )
    dest = safe_extract(archive, tmp_path / "out")
    assert (dest / "top/a.txt").read_bytes() == b"alpha"
    assert (dest / "top/sub/b.txt").read_bytes() == b"beta"
    assert (dest / "top/sub/c").is_symlink()  # a link that stays inside is fine
    assert (dest / "top/sub/c").read_bytes() == b"alpha"


def test_a_good_zip_extracts_exactly(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x/one.txt", b"1")
        zf.writestr("two.txt", b"22")
    dest = safe_extract(archive, tmp_path / "out")
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*.txt")) == [
        "two.txt",
        "x/one.txt",
    ]
    assert (dest / "two.txt").read_bytes() == b"22"


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (("../evil.txt", b"x"), "contains '..'"),
        (("ok/../../evil.txt", b"x"), "contains '..'"),
        (("/tmp/evil.txt", b"x"), "absolute path"),
        (_link("ok/escape", "../../outside"), "links outside"),
        (_link("ok/passwd", "/etc/passwd"), "absolute path"),
        (_link("ok/hard", "../secret", hard=True), "links outside"),
    ],
)
def test_unsafe_tar_members_are_refused_and_nothing_is_left(tmp_path, member, reason):
    # A good member comes first, so refusing must also remove what was already extracted.
    archive = _tar(tmp_path / "bad.tar", [("ok/first.txt", b"fine"), member])
    with pytest.raises(UnsafeArchive, match=reason):
        safe_extract(archive, tmp_path / "out")
    assert _leftovers(tmp_path, archive) == []
    assert not (tmp_path.parent / "evil.txt").exists()


def test_device_files_are_refused(tmp_path):
    fifo = tarfile.TarInfo("ok/pipe")
    fifo.type = tarfile.FIFOTYPE
    archive = _tar(tmp_path / "bad.tar", [fifo])
    with pytest.raises(UnsafeArchive, match="special file"):
        safe_extract(archive, tmp_path / "out")
    assert _leftovers(tmp_path, archive) == []


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "C:/evil.txt"])
def test_unsafe_zip_members_are_refused_and_nothing_is_left(tmp_path, name):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ok.txt", b"fine")
        zf.writestr(name, b"x")
    with pytest.raises(UnsafeArchive):
        safe_extract(archive, tmp_path / "out")
    assert _leftovers(tmp_path, archive) == []


def test_a_truncated_archive_is_damaged_and_leaves_nothing(tmp_path):
    archive = _tar(tmp_path / "a.tar.gz", [(f"f{i}.bin", bytes(range(256)) * 64) for i in range(8)])
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(DamagedArchive):
        safe_extract(archive, tmp_path / "out")
    assert _leftovers(tmp_path, archive) == []


def test_an_existing_target_is_replaced_only_on_success(tmp_path):
    good = _tar(tmp_path / "good.tar", [("new.txt", b"new")])
    bad = _tar(tmp_path / "bad.tar", [("../x", b"x")])
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    with pytest.raises(UnsafeArchive):
        safe_extract(bad, dest)
    assert [p.name for p in dest.iterdir()] == ["old.txt"]
    safe_extract(good, dest)
    assert [p.name for p in dest.iterdir()] == ["new.txt"]


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "names",
    [("train/cats/1.png", "train/cats/1.png"), ("train/cats/1.png", "train//cats/./1.png")],
    ids=["same", "same-path"],
)
def test_a_zip_with_two_members_of_one_name_is_refused(tmp_path, names):
    archive = tmp_path / "data.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(archive, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name, and writes it
        zf.writestr("train/cats/0.png", _png((200, 0, 0)))
        zf.writestr(names[0], _png((200, 0, 0)))  # a cat ...
        zf.writestr(names[1], _png((0, 0, 200)))  # ... and, under the same path, a dog
    with pytest.raises(UnsafeArchive, match="'train/.*1.png' appears twice"):
        safe_extract(archive, tmp_path / "out")
    assert _leftovers(tmp_path, archive) == []


def test_a_tar_with_two_members_of_one_name_is_refused(tmp_path):
    archive = _tar(tmp_path / "data.tar", [("a/1.png", _png((1, 2, 3))), ("a/1.png", b"x")])
    with pytest.raises(UnsafeArchive, match="'a/1.png' appears twice"):
        safe_extract(archive, tmp_path / "out")
    assert _leftovers(tmp_path, archive) == []


def test_an_encrypted_zip_member_is_refused_in_one_line(tmp_path):
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("cats/1.png", _png((9, 9, 9)))
    # Set the "encrypted" flag an encrypting archiver sets (zipfile cannot write one), in the
    # local header (flags at byte 6) and the central directory entry (at byte 8).
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + offset] |= 0x1
    archive.write_bytes(bytes(data))
    with pytest.raises(UnsafeArchive, match="encrypted; extract the archive with its password"):
        safe_extract(archive, tmp_path / "out")
    assert _leftovers(tmp_path, archive) == []
