"""Content hashes of a split file and a prepared dataset, cheap enough for every run start.

A training run's resume state and a finished-but-not-renamed result are valid only for the
exact data they were made from. Hashing a prepared dataset's images (gigabytes) at each start
would cost more than a short run, so the prepare step records the images' sha256 in meta.json
while it streams them (prepared.py); here the small files are hashed whole.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from proxy_attention.atomic import read_json
from proxy_attention.data.prepared import IMAGES, IMAGES_SHA256, LABELS, META, OFFICIAL_SPLIT


def file_sha256(path: str | os.PathLike) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def prepared_hashes(root: str | os.PathLike) -> dict[str, str]:
    """sha256 of meta.json (which holds the images' content hash), the labels and the official
    split; prepared data from before that hash existed falls back to the images' size and mtime."""
    root = Path(root)
    found = {
        name: file_sha256(root / name)
        for name in (META, LABELS, OFFICIAL_SPLIT)
        if (root / name).exists()
    }
    images = (root / IMAGES).stat()
    hashed = IMAGES_SHA256 in read_json(root / META)
    found[IMAGES] = f"{images.st_size}" if hashed else f"{images.st_size}:{images.st_mtime_ns}"
    return found


def data_hashes(prepared: str | os.PathLike, split: str | os.PathLike) -> dict[str, object]:
    """What a run reads from disk: the split file's bytes and the prepared dataset's identity."""
    return {"split_sha256": file_sha256(split), "prepared": prepared_hashes(prepared)}
