"""Safe extraction of tar and zip archives: all or nothing, never outside the target."""

from __future__ import annotations

import posixpath
import re
import tarfile
import unicodedata
import zipfile
from pathlib import Path

from proxy_attention.atomic import atomic_dir
from proxy_attention.data.sources.errors import ArchiveTooLarge, DamagedArchive, UnsafeArchive
from proxy_attention.disk import is_disk_problem

_DRIVE = re.compile(r"^[A-Za-z]:")


# The extracted-bytes cap when a dataset sets none: above every supported source (Food-101
# extracts to 5 GB, the full Imagenette to 1.6 GB), far below an archive bomb's terabytes.
DEFAULT_MAX_EXTRACTED_BYTES = 64 * 2**30


def safe_extract(
    archive: Path, dest: Path, max_bytes: int | None = None, downloaded: bool = False
) -> Path:
    """Extract ``archive`` (zip, tar, tar.gz, ...) into ``dest`` atomically and return ``dest``.

    Members with absolute paths, ``..`` components, links leaving the target, or device files
    are refused with UnsafeArchive; more than ``max_bytes`` of content with ArchiveTooLarge
    (checked from the headers before each member is written); on any error nothing is left
    at ``dest``. ``downloaded`` says whether the pipeline fetched the archive (error advice).
    """
    archive = Path(archive)
    if not archive.is_file():
        raise DamagedArchive(archive, "no such file", downloaded)
    budget = _Budget(archive, max_bytes or DEFAULT_MAX_EXTRACTED_BYTES)
    try:
        with atomic_dir(dest) as tmp:
            if zipfile.is_zipfile(archive):
                _extract_zip(archive, tmp, budget)
            elif _is_tar(archive):
                _extract_tar(archive, tmp, budget)
            else:
                raise DamagedArchive(archive, "neither a zip nor a tar archive")
    except DamagedArchive as exc:
        if downloaded:  # same problem, advice for a file the pipeline may delete itself
            raise DamagedArchive(archive, exc.detail, True) from None
        raise
    return dest


class _Budget:
    """The extracted bytes so far against the cap."""

    def __init__(self, archive: Path, limit: int) -> None:
        self.archive, self.limit, self.used = archive, int(limit), 0

    def take(self, member: str, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise ArchiveTooLarge(self.archive, self.limit, member)


def _raise_unless_disk(exc: OSError, archive: Path) -> None:
    """A full or read-only disk is not a damaged archive: let the CLI name the disk problem."""
    if is_disk_problem(exc):
        raise exc
    raise DamagedArchive(archive, str(exc)) from None


def check_archive(archive: Path, downloaded: bool = False) -> None:
    """Read every member once (zip CRCs, tar stream) to catch a truncated archive early."""
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                bad = zf.testzip()
            if bad is not None:
                raise DamagedArchive(archive, f"CRC error in {bad}", downloaded)
        elif _is_tar(archive):
            with tarfile.open(archive, "r:*") as tf:
                for member in tf:
                    if member.isfile():
                        stream = tf.extractfile(member)
                        while stream is not None and stream.read(1 << 20):
                            pass
        else:
            raise DamagedArchive(archive, "neither a zip nor a tar archive", downloaded)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise DamagedArchive(archive, str(exc), downloaded) from None


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


class _Names:
    """File members seen so far, by the path they extract to: a second member of one path
    would silently replace the first (a zip may hold both), keeping its bytes under the
    other's label. Names that differ only in Unicode normalisation land on one path on
    macOS, so they count as one."""

    def __init__(self, archive: Path) -> None:
        self.archive, self.seen = archive, set()

    def add(self, name: str) -> None:
        key = unicodedata.normalize("NFC", posixpath.normpath(name.replace("\\", "/")))
        if key in self.seen:
            raise UnsafeArchive(
                self.archive,
                name,
                "appears twice (one would silently replace the other); "
                "remove the duplicate from the archive",
            )
        self.seen.add(key)


def _check_link(archive: Path, member: tarfile.TarInfo) -> None:
    target = member.linkname
    if target.startswith(("/", "\\")) or _DRIVE.match(target):
        raise UnsafeArchive(archive, member.name, f"links to the absolute path {target!r}")
    # Symlinks resolve from the member's folder, hard links from the archive root.
    base = posixpath.dirname(member.name) if member.issym() else ""
    resolved = posixpath.normpath(posixpath.join(base, target))
    if resolved == ".." or resolved.startswith("../"):
        raise UnsafeArchive(archive, member.name, f"links outside the target ({target!r})")


def _extract_tar(archive: Path, dest: Path, budget: _Budget) -> None:
    try:
        with tarfile.open(archive, "r:*") as tf:
            # One streaming pass: check each member, then extract it; a refusal aborts and
            # atomic_dir removes what was extracted so far.
            names = _Names(archive)
            for member in tf:
                _check_name(archive, member.name)
                if not member.isdir():
                    names.add(member.name)
                if member.issym() or member.islnk():
                    _check_link(archive, member)
                elif not (member.isfile() or member.isdir()):
                    raise UnsafeArchive(archive, member.name, "is a device or special file")
                budget.take(member.name, member.size if member.isfile() else 0)
                # The data filter is a second line of defence (it also drops setuid bits).
                tf.extract(member, dest, filter="data")
    except tarfile.FilterError as exc:
        name = getattr(getattr(exc, "tarinfo", None), "name", "?")
        raise UnsafeArchive(archive, name, str(exc)) from None
    except (tarfile.TarError, EOFError) as exc:
        raise DamagedArchive(archive, str(exc)) from None
    except OSError as exc:
        _raise_unless_disk(exc, archive)


def _extract_zip(archive: Path, dest: Path, budget: _Budget) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos, names = zf.infolist(), _Names(archive)
            for info in infos:  # check all names and the declared sizes before writing anything
                _check_name(archive, info.filename)
                if not info.is_dir():
                    names.add(info.filename)
                if info.flag_bits & 0x1:  # zipfile would fail mid-extraction with a traceback
                    raise UnsafeArchive(
                        archive,
                        info.filename,
                        "is encrypted; extract the archive with its "
                        "password and point the dataset's `path` at the folder",
                    )
                # zipfile stops a member at its declared size, so the sum bounds the output.
                budget.take(info.filename, info.file_size)
            for info in infos:
                zf.extract(info, dest)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DamagedArchive(archive, str(exc)) from None
    except OSError as exc:
        _raise_unless_disk(exc, archive)
