"""Streamed, resumable, verified downloads.

Hand-written on ``urllib`` because no library in the stack does all of: resume with an HTTP
Range request, keep partial data under a non-final name, verify a digest before renaming into
place (torchvision's ``download_url`` and pooch restart from zero on every interruption).
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from proxy_attention.atomic import read_json, write_json
from proxy_attention.data.sources.errors import ChecksumMismatch, DownloadError, DownloadTooLarge
from proxy_attention.data.sources.extract import check_archive
from proxy_attention.faults import boundary

log = logging.getLogger(__name__)

MIRROR_ENV = "PROXY_ATTENTION_MIRROR"
CHUNK = 1 << 20
PART_SUFFIX = ".part"
BAD_SUFFIX = ".bad"
STAMP_SUFFIX = ".verified.json"
DOWNLOADED, PLACED = "download", "placed"  # a stamp's "origin"


# The byte cap when neither the source pins a file's size nor the dataset sets
# max_download_bytes: above every supported archive (Food-101 is 5 GB), far below a disk.
DEFAULT_MAX_DOWNLOAD_BYTES = 64 * 2**30
# A transfer that brings fewer bytes than this in stall_seconds is stalled: a server sending
# one byte a second never trips the socket timeout, which only sees silence.
STALL_MIN_BYTES = 1024


@dataclass(frozen=True)
class Limits:
    """What one file's download may take: at most ``max_bytes``, and at least
    STALL_MIN_BYTES every ``stall_seconds``."""

    max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES
    stall_seconds: float = 60.0


# Waits between attempts: doubling from BACKOFF_FIRST seconds, never above BACKOFF_MAX.
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0


def backoff(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt + 1``: bounded exponential backoff."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt)


class _Interrupted(Exception):
    """The transfer stopped early (or the server failed); what arrived is in the .part file."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def mirrored(url: str, mirror: str | None) -> str:
    """Replace the scheme+host+path prefix of ``url`` by ``mirror`` (file name kept)."""
    mirror = mirror or os.environ.get(MIRROR_ENV) or None
    if not mirror:
        return url
    return f"{mirror.rstrip('/')}/{url.rsplit('/', 1)[-1]}"


def parse_digest(value: str) -> tuple[str, str]:
    """``"md5:abc.."`` / ``"sha256:..."`` or a bare hex digest (algorithm from its length)."""
    algo, sep, hexdigest = value.partition(":")
    if not sep:
        hexdigest = value
        algo = {32: "md5", 40: "sha1", 64: "sha256"}.get(len(value), "")
    algo = algo.lower()
    if algo not in {"md5", "sha1", "sha256"}:
        raise ValueError(f"cannot tell the hash algorithm of checksum {value!r}")
    return algo, hexdigest.lower()


def file_digest(path: Path, algo: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, algo).hexdigest()


def stamp_path(path: Path) -> Path:
    return path.with_name(path.name + STAMP_SUFFIX)


def is_verified(path: Path, digest: str | None) -> bool:
    """True when a stamp says this exact file (size, mtime) was verified against ``digest``."""
    stamp = stamp_path(path)
    if not (path.exists() and stamp.exists()):
        return False
    info = read_json(stamp)
    stat = path.stat()
    if info.get("size") != stat.st_size:
        return False
    if info.get("mtime_ns") != stat.st_mtime_ns and not _same_content(path, info):
        return False
    if digest is None:
        return True
    algo, expected = parse_digest(digest)
    return info.get(algo) == expected


def _same_content(path: Path, info: dict) -> bool:
    """A file whose mtime moved (copied with `cp -r` or rsync without -t, as data moved to a
    cluster is) is re-verified by its content; when it still matches, the stamp takes the new
    mtime, so the hash is paid once."""
    if info.get("sha256") != file_digest(path, "sha256"):
        return False
    write_json(stamp_path(path), {**info, "mtime_ns": path.stat().st_mtime_ns})
    return True


def was_downloaded(path: Path) -> bool:
    """Whether the pipeline fetched ``path`` itself (its stamp says so): only such a file may
    be moved aside or called deletable; a file the user placed is never touched."""
    stamp = stamp_path(path)
    return stamp.exists() and read_json(stamp).get("origin") == DOWNLOADED


def verify_file(
    path: Path, digest: str | None, final: Path | None = None, downloaded: bool | None = None
) -> str:
    """Check ``path`` against ``digest`` and raise on a mismatch; returns the file's sha256.

    A download that does not match (``path`` is its temporary name, or ``downloaded``) is moved
    to ``<final>.bad`` so the next run fetches it again; a file the user placed stays as it is.
    Without a digest (Kaggle publishes none) the archive is read through once (zip CRCs) and
    its sha256 logged, so it can be pinned under ``checksums``.
    """
    final = final or path
    downloaded = path != final if downloaded is None else downloaded
    sha256 = file_digest(path, "sha256")
    if digest is None:
        check_archive(path, downloaded)
        log.warning("%s has no pinned checksum; its sha256 is %s", final.name, sha256)
    else:
        algo, expected = parse_digest(digest)
        actual = sha256 if algo == "sha256" else file_digest(path, algo)
        if actual != expected:
            bad = final.with_name(final.name + BAD_SUFFIX) if downloaded else None
            if bad is not None:
                os.replace(path, bad)
            stamp_path(final).unlink(missing_ok=True)
            raise ChecksumMismatch(final, f"{algo}:{expected}", f"{algo}:{actual}", bad)
    return sha256


def write_stamp(path: Path, digest: str | None, sha256: str, downloaded: bool = False) -> None:
    stat = path.stat()
    info: dict[str, object] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    info["sha256"] = sha256
    info["origin"] = DOWNLOADED if downloaded else PLACED
    if digest is not None:
        algo, expected = parse_digest(digest)
        info[algo] = expected
    write_json(stamp_path(path), info)


def fetch(
    url: str, dest: Path, digest: str | None, retries: int = 3, limits: Limits | None = None
) -> Path:
    """Download ``url`` to ``dest`` unless a verified copy is there; resume after interruptions.

    More than ``limits.max_bytes`` stops it (DownloadTooLarge, the partial data removed: it
    can only be wrong); a stall is retried like a broken connection, resuming the .part file.
    """
    limits = limits or Limits()
    dest.parent.mkdir(parents=True, exist_ok=True)
    if is_verified(dest, digest):
        return dest
    if dest.exists():  # placed by hand, or a stamp from another digest: verify what is there
        downloaded = was_downloaded(dest)
        write_stamp(dest, digest, verify_file(dest, digest, downloaded=downloaded), downloaded)
        return dest
    # A fixed .part name (not proxy_attention.atomic's random temp name) so that a later
    # run finds the partial data and resumes it; it is renamed into place once verified.
    part = dest.with_name(dest.name + PART_SUFFIX)
    for attempt in range(retries + 1):
        try:
            _transfer(url, part, limits)
            break
        except _Interrupted as exc:
            if attempt == retries:
                kept = f"partial data kept in {part.name}, " if part.exists() else ""
                raise DownloadError(
                    url, exc.status, f"{exc} after {retries + 1} attempts; {kept}rerun to resume"
                ) from None
            time.sleep(backoff(attempt))
    sha256 = verify_file(part, digest, final=dest)
    os.replace(part, dest)
    write_stamp(dest, digest, sha256, downloaded=True)
    return dest


def _transfer(url: str, part: Path, limits: Limits) -> None:
    """One HTTP request appending to ``part``; raises _Interrupted when it ends early."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        # The socket timeout catches a silent server; _copy catches a trickling one.
        response = urllib.request.urlopen(request, timeout=limits.stall_seconds)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # the .part already holds the whole file
            return
        if exc.code >= 500 or exc.code == 429:  # the server's trouble, often brief: retry
            raise _Interrupted(f"server error HTTP {exc.code}", exc.code) from None
        raise DownloadError(url, exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        raise _Interrupted(f"cannot connect: {getattr(exc, 'reason', exc)}") from None
    with response:
        if offset and response.status != 206:
            offset = 0  # the server ignored the Range header: start over
        length = response.headers.get("Content-Length")
        remaining = int(length) if length is not None else None
        total = offset + remaining if remaining is not None else None
        if total is not None and total > limits.max_bytes:  # refused before a byte is written
            _too_large(url, part, limits, f"the server announces {total} bytes")
        bar = tqdm(total=total, initial=offset, unit="B", unit_scale=True, desc=part.stem)
        try:
            with open(part, "ab" if offset else "wb") as f:
                received = _copy(response, f, offset, limits, url, part, bar)
        except (OSError, http.client.HTTPException) as exc:
            size = part.stat().st_size if part.exists() else 0
            raise _Interrupted(f"transfer broke after {size} bytes: {exc}") from None
        finally:
            bar.close()
    if remaining is not None and received < remaining:
        raise _Interrupted(f"connection closed after {offset + received} of {total} bytes")


def _copy(response, f, offset: int, limits: Limits, url: str, part: Path, bar) -> int:
    """Append the response body to ``f``; the bytes received. Stops on the byte cap
    (DownloadTooLarge) and on a stall (_Interrupted, resumable)."""
    received, window_start, window_bytes = 0, time.monotonic(), 0
    # read1 returns what has arrived (up to CHUNK), so a trickle is seen as it trickles.
    while chunk := response.read1(CHUNK):
        if offset + received + len(chunk) > limits.max_bytes:
            f.close()
            _too_large(url, part, limits, f"more than {limits.max_bytes} bytes arrived")
        f.write(chunk)
        boundary("download:chunk")  # fault injection (faults.py): mid-transfer
        received += len(chunk)
        window_bytes += len(chunk)
        bar.update(len(chunk))
        if time.monotonic() - window_start >= limits.stall_seconds:
            if window_bytes < STALL_MIN_BYTES:
                raise _Interrupted(
                    f"stalled: {window_bytes} bytes in {limits.stall_seconds:g} s "
                    f"(download_stall_seconds) after {offset + received} bytes"
                )
            window_start, window_bytes = time.monotonic(), 0
    return received


def _too_large(url: str, part: Path, limits: Limits, what: str) -> None:
    """Stop a download past its cap; the .part, the pipeline's own, goes (it cannot be right)."""
    part.unlink(missing_ok=True)
    raise DownloadTooLarge(url, limits.max_bytes, what)
