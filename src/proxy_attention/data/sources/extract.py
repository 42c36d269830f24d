"""Safe extraction of tar and zip archives: all or nothing, never outside the target."""

from __future__ import annotations

import posixpath
import re
import tarfile
import zipfile
from pathlib import Path

from proxy_attention.atomic import atomic_dir
from proxy_attention.data.sources.errors import DamagedArchive, UnsafeArchive

_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_extract(archive: Path, dest: Path) -> Path:
    """Extract ``archive`` (zip, tar, tar.gz, ...) into ``dest`` atomically and return ``dest``.

    Members with absolute paths, ``..`` components, links leaving the target, or device files
    are refused with UnsafeArchive; on any error nothing is left at ``dest``.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise DamagedArchive(archive, "no such file")
    with atomic_dir(dest) as tmp:
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, tmp)
        elif _is_tar(archive):
            _extract_tar(archive, tmp)
        else:
            raise DamagedArchive(archive, "neither a zip nor a tar archive")
    return dest


def check_archive(archive: Path) -> None:
    """Read every member once (zip CRCs, tar stream) to catch a truncated archive early."""
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                bad = zf.testzip()
            if bad is not None:
                raise DamagedArchive(archive, f"CRC error in {bad}")
        elif _is_tar(archive):
            with tarfile.open(archive, "r:*") as tf:
                for member in tf:
                    if member.isfile():
                        stream = tf.extractfile(member)
                        while stream is not None and stream.read(1 << 20):
                            pass
        else:
            raise DamagedArchive(archive, "neither a zip nor a tar archive")
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise DamagedArchive(archive, str(exc)) from None


def _is_tar(archive: Path) -> bool:
    try:
        return tarfile.is_tarfile(archive)
    except OSError:
        return False


def _check_name(archive: Path, name: str) -> None:
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise UnsafeArchive(archive, name, "has an absolute path")
    if ".." in name.replace("\\", "/").split("/"):
        raise UnsafeArchive(archive, name, "contains '..'")


def _check_link(archive: Path, member: tarfile.TarInfo) -> None:
    target = member.linkname
    if target.startswith(("/", "\\")) or _DRIVE.match(target):
        raise UnsafeArchive(archive, member.name, f"links to the absolute path {target!r}")
    # Symlinks resolve from the member's folder, hard links from the archive root.
    base = posixpath.dirname(member.name) if member.issym() else ""
    resolved = posixpath.normpath(posixpath.join(base, target))
    if resolved == ".." or resolved.startswith("../"):
        raise UnsafeArchive(archive, member.name, f"links outside the target ({target!r})")


def _extract_tar(archive: Path, dest: Path) -> None:
    try:
        with tarfile.open(archive, "r:*") as tf:
            # One streaming pass: check each member, then extract it; a refusal aborts and
            # atomic_dir removes what was extracted so far.
            for member in tf:
                _check_name(archive, member.name)
                if member.issym() or member.islnk():
                    _check_link(archive, member)
                elif not (member.isfile() or member.isdir()):
                    raise UnsafeArchive(archive, member.name, "is a device or special file")
                # The data filter is a second line of defence (it also drops setuid bits).
                tf.extract(member, dest, filter="data")
    except tarfile.FilterError as exc:
        name = getattr(getattr(exc, "tarinfo", None), "name", "?")
        raise UnsafeArchive(archive, name, str(exc)) from None
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise DamagedArchive(archive, str(exc)) from None


def _extract_zip(archive: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            for info in infos:  # check all names before writing anything
                _check_name(archive, info.filename)
            for info in infos:
                zf.extract(info, dest)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DamagedArchive(archive, str(exc)) from None
