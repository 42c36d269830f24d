"""Kaggle-hosted archives: the official client when credentials exist, else a manual path."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from proxy_attention.data.sources.download import (
    is_verified,
    verify_file,
    was_downloaded,
    write_stamp,
)
from proxy_attention.data.sources.errors import DownloadError, ManualDownloadRequired

CREDENTIALS_HINT = (
    "create an API token at https://www.kaggle.com/settings/api and save it as "
    "~/.kaggle/kaggle.json (or ~/.kaggle/access_token), or export KAGGLE_API_TOKEN "
    "or KAGGLE_USERNAME and KAGGLE_KEY"
)


def has_credentials() -> bool:
    """The client's lookup (kaggle 2.x): a token or username/key in the environment, then
    ``access_token`` or ``kaggle.json`` in ``$KAGGLE_CONFIG_DIR`` or ~/.kaggle."""
    if os.environ.get("KAGGLE_API_TOKEN"):
        return True
    if os.environ.get("KAGGLE_USERNAME") and os.environ.get("KAGGLE_KEY"):
        return True
    config_dir = Path(os.environ.get("KAGGLE_CONFIG_DIR") or Path.home() / ".kaggle")
    return any((config_dir / name).is_file() for name in ("kaggle.json", "access_token"))


def fetch_kaggle(dataset: str, dest: Path, digest: str | None) -> Path:
    """Make sure a verified copy of Kaggle dataset ``dataset`` (owner/name) is at ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if is_verified(dest, digest):
        return dest
    if dest.exists():  # downloaded by hand: verified exactly like a fetched archive
        downloaded = was_downloaded(dest)
        write_stamp(dest, digest, verify_file(dest, digest, downloaded=downloaded), downloaded)
        return dest
    if not has_credentials():
        raise ManualDownloadRequired(dataset, dest, f"no Kaggle credentials ({CREDENTIALS_HINT})")
    try:  # imported lazily: only this path needs the client
        from kaggle.api.kaggle_api_extended import KaggleApi
    except ImportError:
        raise ManualDownloadRequired(
            dataset, dest, "the kaggle package is not installed (pip install kaggle)"
        ) from None
    api = KaggleApi()
    api.authenticate()
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".kaggle-") as tmp:
        api.dataset_download_files(dataset, path=tmp, unzip=False, quiet=False)
        archives = sorted(Path(tmp).glob("*.zip"))
        if len(archives) != 1:
            raise DownloadError(f"kaggle:{dataset}", None, f"expected one zip, got {archives}")
        sha256 = verify_file(archives[0], digest, final=dest)
        os.replace(archives[0], dest)
    write_stamp(dest, digest, sha256, downloaded=True)
    return dest
