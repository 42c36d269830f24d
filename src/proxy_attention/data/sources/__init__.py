"""Dataset sources: fetch and verify raw archives, then prepare them into the common format.

cfg is one dataset entry of params.yaml: ``source``, ``image_size``, ``max_per_class``,
``fraction``, ``max_bad_fraction`` (0.01), ``seed`` (0), ``path`` or ``url`` (folder source),
``mirror``
(or $PROXY_ATTENTION_MIRROR: a base URL replacing the official URLs' prefix), ``variant``
(imagenette: full|320px|160px; plant_village: color|grayscale|segmented) and ``checksums``
(file name -> "md5:..."/"sha256:...", overriding or pinning the registry's digests),
``download_retries`` (3: resumed attempts within one run after a broken transfer).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from proxy_attention.atomic import read_json, remove_leftovers, remove_temporaries, write_json
from proxy_attention.data.prepared import PrepareReport, write_prepared
from proxy_attention.data.sources.download import (
    fetch,
    is_verified,
    mirrored,
    stamp_path,
    was_downloaded,
)
from proxy_attention.data.sources.errors import (
    ChecksumMismatch,
    DamagedArchive,
    DownloadError,
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
from proxy_attention.data.sources.select import select_subset
from proxy_attention.data.sources.spec import RemoteFile, Source

__all__ = [
    "SOURCES",
    "ChecksumMismatch",
    "DamagedArchive",
    "DownloadError",
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
    name = cfg.get("source", "")
    if name not in SOURCES:
        raise UnknownSource(name, sorted(SOURCES))
    return SOURCES[name]


def _digest(cfg: dict[str, Any], remote: RemoteFile) -> str | None:
    return (cfg.get("checksums") or {}).get(remote.name, remote.digest)


def _folder_remote(cfg: dict[str, Any]) -> RemoteFile | None:
    """The folder source's archive when it comes from ``url`` (checksum in ``checksums``)."""
    url = cfg.get("url")
    if not url:
        return None
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return RemoteFile(name, url, (cfg.get("checksums") or {}).get(name))


def remote_files(source: Source, cfg: dict[str, Any]) -> tuple[RemoteFile, ...]:
    """The archives the download step fetches for this entry (a folder source: its url's)."""
    if source.name == "folder":
        remote = _folder_remote(cfg)
        return (remote,) if remote else ()
    return source.files_for(cfg)


def _folder_path(cfg: dict[str, Any]) -> Path:
    path = Path(cfg.get("path") or "")
    if not cfg.get("path") or not path.exists():
        raise SourceError(f"folder source: path {str(path)!r} does not exist; set `path`")
    return path


def download_source(cfg: dict[str, Any], raw_dir: Path, manifest: Path | None = None) -> Path:
    """Fetch and verify the source's archives into ``raw_dir``; verified files are kept.

    ``manifest`` (what Snakemake tracks, written last) lists the verified files with their
    sha256. The archives are not a rule output: Snakemake deletes a failed job's outputs,
    and they may be the user's only copy (a hand-placed Kaggle archive).
    """
    source = get_source(cfg)
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    remove_temporaries(raw_dir)  # stamps and manifests a killed attempt left half-renamed
    if source.name == "folder" and not cfg.get("url"):
        _folder_path(cfg)  # local data: nothing to fetch, but fail early on a bad path
    for remote in remote_files(source, cfg):
        dest = raw_dir / remote.name
        if source.kaggle:
            fetch_kaggle(source.kaggle, dest, _digest(cfg, remote))
        else:
            assert remote.url is not None
            url = mirrored(remote.url, cfg.get("mirror"))
            fetch(url, dest, _digest(cfg, remote), retries=_retries(cfg))
    if manifest is not None:
        remove_leftovers(manifest)
        files = [
            {"name": remote.name, "sha256": read_json(stamp_path(raw_dir / remote.name))["sha256"]}
            for remote in source.files_for(cfg)
        ]
        write_json(manifest, {"source": source.name, "files": files})
    return raw_dir


def prepare_source(cfg: dict[str, Any], raw_dir: Path, out_dir: Path) -> Path:
    """Decode, convert to RGB, resize and write ``out_dir`` (prepared format + report.json)."""
    source = get_source(cfg)
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if source.name == "digits":
        return _prepare_digits(cfg, out_dir)
    meta: dict[str, Any] = {"source": source.name, "description": source.description}
    archives: dict[str, Path] = {}
    if source.name == "folder" and not cfg.get("url"):
        path = _folder_path(cfg)
        meta["path"] = str(path.resolve())
        if path.is_file():
            archives["path"] = path
    else:
        files = remote_files(source, cfg)
        meta["files"] = [{"name": f.name, "url": f.url, "digest": _digest(cfg, f)} for f in files]
        for remote in files:
            archive = raw_dir / remote.name
            if not is_verified(archive, _digest(cfg, remote)):
                raise SourceError(
                    f"{archive} is missing or not verified; run the download step first"
                )
            archives["path" if source.name == "folder" else remote.name] = archive
    assert source.list_images is not None
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Extract next to the output (same disk as the data, not /tmp) and remove it afterwards;
    # what a killed attempt left there is removed first.
    remove_leftovers(out_dir, tag=EXTRACT_TAG)
    with tempfile.TemporaryDirectory(
        dir=out_dir.parent, prefix=f".{out_dir.name}.{EXTRACT_TAG}"
    ) as tmp:
        cap = cfg.get("max_extracted_bytes")
        roots = {
            name: safe_extract(path, Path(tmp) / _stem(name), cap, was_downloaded(path))
            for name, path in archives.items()
        }
        if source.name == "folder" and not archives:
            roots["path"] = _folder_path(cfg)
        listing = source.list_images(roots, cfg)
        return prepare_listing(listing, cfg, out_dir, meta)


def _retries(cfg: dict[str, Any]) -> int:
    value = cfg.get("download_retries")
    return 3 if value is None else int(value)


def _stem(name: str) -> str:
    for suffix in _ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] or "archive"
    return name


def _prepare_digits(cfg: dict[str, Any], out_dir: Path) -> Path:
    """The embedded digits (the integrator's module); selection applies as for any source."""
    from proxy_attention.data.digits import CLASSES, digits_samples
    from proxy_attention.data.sources.spec import Item

    size = int(cfg["image_size"])
    samples = list(digits_samples(size))  # 1,797 tiny images: holding them is harmless
    items = [Item(str(i), label, None) for i, (_, label, _) in enumerate(samples)]
    chosen = select_subset(
        items, cfg.get("max_per_class"), cfg.get("fraction"), int(cfg.get("seed") or 0)
    )
    report = PrepareReport(total=len(chosen))
    stream = (samples[int(item.key)] for item in chosen)
    meta = {"source": "digits", "description": SOURCES["digits"].description}
    return write_prepared(out_dir, stream, len(chosen), size, CLASSES, meta, report)
