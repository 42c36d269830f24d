"""Errors a user can cause while fetching or preparing a dataset; each message is one line."""

from __future__ import annotations

from pathlib import Path

from proxy_attention.errors import UserError


class SourceError(UserError):
    """Base class: the CLI prints ``str(error)`` and exits non-zero, no traceback."""


class UnknownSource(SourceError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown dataset source {name!r}; choose one of {', '.join(known)}")
        self.name = name


class DownloadError(SourceError):
    """The server answered with an HTTP error status (404, 500, ...) or the transfer failed."""

    def __init__(self, url: str, status: int | None, detail: str = "") -> None:
        what = f"HTTP {status}" if status is not None else "connection failed"
        tail = f" ({detail})" if detail else ""
        super().__init__(f"download of {url} failed: {what}{tail}")
        self.url = url
        self.status = status


class DownloadTooLarge(SourceError):
    """A download past its byte cap (the file's pinned size, else max_download_bytes)."""

    def __init__(self, url: str, limit: int, what: str) -> None:
        super().__init__(
            f"download of {url} stopped: {what}, over its cap of {limit} bytes (the partial "
            "file was removed); check the URL or mirror, or raise `max_download_bytes` of the "
            "dataset in params.yaml if the file is genuine"
        )
        self.url = url
        self.limit = limit


class ChecksumMismatch(SourceError):
    """A downloaded or hand-placed archive does not have the expected digest."""

    def __init__(self, path: Path, expected: str, actual: str, kept_as: Path | None) -> None:
        if kept_as:  # the pipeline downloaded it: moved aside, the next run fetches it again
            fix = f"the download was moved to {kept_as}; rerun to download it again"
        else:  # placed by the user: never moved or deleted
            fix = f"{path} was left as it is; replace it with the right archive"
        super().__init__(
            f"checksum mismatch for {path.name}: expected {expected}, got {actual}; {fix}, "
            "or pin the new digest under `checksums` in params.yaml if you trust this file"
        )
        self.path = path
        self.expected = expected
        self.actual = actual
        self.kept_as = kept_as


class UnsafeArchive(SourceError):
    """An archive member would land outside the extraction directory."""

    def __init__(self, archive: Path, member: str, reason: str) -> None:
        super().__init__(f"refusing to extract {archive.name}: member {member!r} {reason}")
        self.archive = archive
        self.member = member


class ManualDownloadRequired(SourceError):
    """A Kaggle-hosted archive must be downloaded by hand (no credentials or no client)."""

    def __init__(self, dataset: str, path: Path, reason: str) -> None:
        super().__init__(
            f"{reason}: download https://www.kaggle.com/datasets/{dataset} by hand "
            f"and save the archive as {path}, then rerun"
        )
        self.dataset = dataset
        self.path = path


class TooManyBadImages(SourceError):
    """More unreadable images than ``max_bad_fraction`` allows."""

    def __init__(self, bad: int, total: int, limit: float, examples: list[str]) -> None:
        shown = ", ".join(examples[:3])
        super().__init__(
            f"{bad} of {total} images could not be read (more than max_bad_fraction={limit}), "
            f"e.g. {shown}; check the archive or raise max_bad_fraction"
        )
        self.bad = bad
        self.total = total


class LayoutError(SourceError):
    """The extracted archive does not have the layout the source expects."""


class DamagedArchive(SourceError):
    """The archive cannot be read (truncated, not a zip/tar, failed CRC)."""

    def __init__(self, archive: Path, detail: str, downloaded: bool = False) -> None:
        fix = (
            "delete it and rerun to download it again"
            if downloaded
            else "replace it with an intact copy (the pipeline did not download this file)"
        )
        super().__init__(f"cannot read archive {archive}: {detail}; {fix}")
        self.archive = archive
        self.detail = detail


class ArchiveTooLarge(SourceError):
    """An archive would extract to more than ``max_extracted_bytes`` (an archive bomb, or a
    cap set too low): stopped before the disk fills; the archive itself is left alone."""

    def __init__(self, archive: Path, limit: int, member: str) -> None:
        super().__init__(
            f"{archive.name} would extract to more than max_extracted_bytes = {limit} bytes "
            f"(at member {member!r}); if the archive is genuine, raise `max_extracted_bytes` "
            "of its dataset in params.yaml"
        )
        self.archive = archive
        self.limit = limit
