"""Dataset sources: fetch and verify raw archives, then prepare them into the common format.

cfg is one dataset entry of params.yaml; its keys, their meanings and defaults are those of
the params schema (params.load_schema). ``source`` names the registry entry (registry.py),
whose Source says what to fetch and how to list the images.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from proxy_attention.atomic import read_json, remove_leftovers, remove_temporaries, write_json
from proxy_attention.data.sources.download import (
    DEFAULT_MAX_DOWNLOAD_BYTES,
    Limits,
    fetch,
    is_verified,
    mirrored,
    stamp_path,
    was_downloaded,
)
from proxy_attention.data.sources.entry import with_defaults
from proxy_attention.data.sources.errors import (
    ChecksumMismatch,
    DamagedArchive,
    DownloadError,
    DownloadTooLarge,
    LayoutError,
    ManualDownloadRequired,
    SourceError,
    TooManyBadImages,
    UnknownSource,
    UnsafeArchive,
)
from proxy_attention.data.sources.extract import safe_extract
from proxy_attention.data.sources.kaggle import fetch_kaggle
from proxy_attention.data.sources.prepare import prepare_listing
from proxy_attention.data.sources.registry import SOURCES
from proxy_attention.data.sources.spec import RemoteFile, Source

__all__ = [
    "SOURCES",
    "ChecksumMismatch",
    "DamagedArchive",
    "DownloadError",
    "DownloadTooLarge",
    "LayoutError",
    "ManualDownloadRequired",
    "SourceError",
    "TooManyBadImages",
    "UnknownSource",
    "UnsafeArchive",
    "download_source",
    "get_source",
    "prepare_source",
]

EXTRACT_TAG = "x-"  # prepare's extraction folder: .<out name>.x-<random>
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")


def get_source(cfg: dict[str, Any]) -> Source:
    """The registry entry cfg's ``source`` names; an unknown name is refused with the choices."""
    name = cfg.get("source", "")
    if name not in SOURCES:
        raise UnknownSource(name, sorted(SOURCES))
    return SOURCES[name]


def _digest(cfg: dict[str, Any], remote: RemoteFile) -> str | None:
    return cfg["checksums"].get(remote.name, remote.digest)


def _limits(cfg: dict[str, Any], remote: RemoteFile) -> Limits:
    """The file's pinned size is its cap where the registry knows it; else the dataset's."""
    cap = remote.size or cfg["max_download_bytes"] or DEFAULT_MAX_DOWNLOAD_BYTES
    return Limits(max_bytes=int(cap), stall_seconds=float(cfg["download_stall_seconds"]))


def download_source(cfg: dict[str, Any], raw_dir: Path, manifest: Path | None = None) -> Path:
    """Fetch and verify the source's archives into ``raw_dir``; verified files are kept.

    ``manifest`` (what Snakemake tracks, written last) lists the verified files with their
    sha256. The archives are not a rule output: Snakemake deletes a failed job's outputs,
    and they may be the user's only copy (a hand-placed Kaggle archive).
    """
    cfg = with_defaults(cfg)
    source = get_source(cfg)
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    remove_temporaries(raw_dir)  # stamps and manifests a killed attempt left half-renamed
    source.local_input(cfg)  # local data: nothing to fetch, but fail early on a bad path
    files = source.files_for(cfg)
    for remote in files:
        dest = raw_dir / remote.name
        if source.kaggle:
            fetch_kaggle(source.kaggle, dest, _digest(cfg, remote))
        else:
            assert remote.url is not None
            url = mirrored(remote.url, cfg["mirror"])
            retries = int(cfg["download_retries"])
            fetch(url, dest, _digest(cfg, remote), retries, _limits(cfg, remote))
    if manifest is not None:
        remove_leftovers(manifest)
        verified = [
            {"name": remote.name, "sha256": read_json(stamp_path(raw_dir / remote.name))["sha256"]}
            for remote in files
        ]
        write_json(manifest, {"source": source.name, "files": verified})
    return raw_dir


def prepare_source(cfg: dict[str, Any], raw_dir: Path, out_dir: Path) -> Path:
    """Decode, convert to RGB, resize and write ``out_dir`` (prepared format + report.json)."""
    cfg = with_defaults(cfg)
    source = get_source(cfg)
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if source.prepare is not None:
        return source.prepare(cfg, out_dir)
    inputs, recorded = _inputs(source, cfg, raw_dir)
    meta: dict[str, Any] = {"source": source.name, "description": source.description, **recorded}
    assert source.list_images is not None
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Extract next to the output (same disk as the data, not /tmp) and remove it afterwards;
    # what a killed attempt left there is removed first.
    remove_leftovers(out_dir, tag=EXTRACT_TAG)
    with tempfile.TemporaryDirectory(
        dir=out_dir.parent, prefix=f".{out_dir.name}.{EXTRACT_TAG}"
    ) as tmp:
        cap = cfg["max_extracted_bytes"]
        roots = {
            name: path
            if path.is_dir()
            else safe_extract(path, Path(tmp) / _stem(name), cap, was_downloaded(path))
            for name, path in inputs.items()
        }
        listing = source.list_images(roots, cfg)
        return prepare_listing(listing, cfg, out_dir, meta)


def _inputs(
    source: Source, cfg: dict[str, Any], raw_dir: Path
) -> tuple[dict[str, Path], dict[str, Any]]:
    """What the listing reads, by name (a local folder or archive, or the verified downloads),
    and what the prepared meta records of it."""
    local = source.local_input(cfg)
    if local is not None:
        return {"path": local}, {"path": str(local.resolve())}
    files = source.files_for(cfg)
    for remote in files:
        if not is_verified(raw_dir / remote.name, _digest(cfg, remote)):
            raise SourceError(
                f"{raw_dir / remote.name} is missing or not verified; run the download step first"
            )
    recorded = [{"name": f.name, "url": f.url, "digest": _digest(cfg, f)} for f in files]
    return {remote.name: raw_dir / remote.name for remote in files}, {"files": recorded}


def _stem(name: str) -> str:
    for suffix in _ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] or "archive"
    return name
