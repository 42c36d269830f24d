"""Folder-per-class trees: the generic ``folder`` source and the helpers the layouts share."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from proxy_attention.data.sources.errors import LayoutError, SourceError
from proxy_attention.data.sources.spec import Item, Listing, RemoteFile, folder_opener

IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}
)
_IGNORED_DIRS = {"__MACOSX"}


def is_image_name(name: str) -> bool:
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


def subdirs(folder: Path) -> list[Path]:
    """Visible sub-folders, sorted by name (the class order of every folder source)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in _IGNORED_DIRS
    )


def image_files(folder: Path) -> list[str]:
    """Image file paths under ``folder`` (recursive), relative to it, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in _IGNORED_DIRS]
        rel = os.path.relpath(dirpath, folder)
        found.extend(
            name if rel == "." else f"{rel}/{name}" for name in filenames if is_image_name(name)
        )
    return sorted(found)


def find_class_root(root: Path) -> Path:
    """Descend through wrapper folders (one sub-folder, no images) to the class folders."""
    while True:
        children = subdirs(root)
        has_images = any(is_image_name(p.name) for p in root.iterdir() if p.is_file())
        if len(children) == 1 and not has_images:
            root = children[0]
        else:
            return root


def class_folder_listing(
    root: Path,
    splits: Iterable[tuple[str, str | None]] = (("", None),),
    class_name: Callable[[str], str] = lambda folder: folder,
) -> Listing:
    """List ``root/<split_dir>/<class>/**/image`` with labels from the sorted class folders.

    ``splits`` maps a sub-folder ("" for root itself) to its official split name (or None).
    """
    splits = list(splits)
    first = root / splits[0][0]
    if not first.is_dir():
        raise LayoutError(f"expected the folder {first}; is this the right archive?")
    folders = _class_names(first)
    index = {name: i for i, name in enumerate(folders)}
    items: list[Item] = []
    for split_dir, split in splits:
        base = root / split_dir
        for folder in subdirs(base):
            label = index.get(unicodedata.normalize("NFC", folder.name))
            if label is None:
                raise LayoutError(f"class folder {folder} is not among the classes of {first}")
            prefix = folder.relative_to(root).as_posix()
            items.extend(Item(f"{prefix}/{rel}", label, split) for rel in image_files(folder))
    return Listing(
        classes=[class_name(name) for name in folders],
        items=items,
        open=folder_opener(root),
        has_official_split=any(split is not None for _, split in splits),
    )


def _class_names(folder: Path) -> list[str]:
    """The class folders' names in NFC: "café" typed composed (macOS keeps names decomposed)
    and decomposed is one class, so two folders of one name are refused, not made two classes
    that print alike."""
    names = [p.name for p in subdirs(folder)]
    if not names:
        if any(is_image_name(p.name) for p in folder.iterdir() if p.is_file()):
            raise LayoutError(
                f"{folder} holds images but no class folders: one class is not a dataset; "
                "put the images in one folder per class (at least two)"
            )
        raise LayoutError(f"no class folders in {folder}")
    normal: dict[str, str] = {}
    for name in names:
        key = unicodedata.normalize("NFC", name)
        if key in normal:
            raise LayoutError(
                f"class folders {normal[key]!r} and {name!r} in {folder} are one name written "
                "in two Unicode forms; merge them into one folder"
            )
        normal[key] = name
    return list(normal)


# Split folder names as torchvision's ImageFolder users and dataset publishers spell them.
SPLIT_FOLDERS = {
    "train": "train",
    "training": "train",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "test": "test",
    "testing": "test",
}


def split_folders(root: Path) -> list[tuple[str, str]]:
    """``[(folder, split)]`` when ``root`` holds only split folders (train/, val/, test/ ...),
    train first (its class folders define the classes); ``[]`` for a flat root of classes."""
    children = subdirs(root)
    if not children or any(p.name.lower() not in SPLIT_FOLDERS for p in children):
        return []
    found = sorted(
        ((p.name, SPLIT_FOLDERS[p.name.lower()]) for p in children),
        key=lambda pair: ("train", "val", "test").index(pair[1]),
    )
    if len({split for _, split in found}) != len(found):
        raise LayoutError(f"{root} has two folders for one split: {[name for name, _ in found]}")
    return found


def list_folder(roots: dict[str, Path], cfg: dict[str, Any]) -> Listing:
    """The ``folder`` source: any directory (or extracted archive) with one folder per class,
    either flat (split by the pipeline) or inside train/ val/ test/ folders (kept as official).

    ``roots`` holds one entry: the folder, the extracted ``path`` archive or the url's.
    """
    (root,) = roots.values()
    root = find_class_root(root)
    splits = split_folders(root)
    if splits:
        return class_folder_listing(root, splits=splits)
    return class_folder_listing(root)


def folder_remote(cfg: dict[str, Any]) -> tuple[RemoteFile, ...]:
    """The folder source's archive when it comes from ``url`` (checksum in ``checksums``)."""
    url = cfg.get("url")
    if not url:
        return ()
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return (RemoteFile(name, url, cfg["checksums"].get(name)),)


def folder_path(cfg: dict[str, Any]) -> Path | None:
    """The folder or archive ``path`` names, when the data is local (no ``url``)."""
    if cfg.get("url"):
        return None
    path = Path(cfg.get("path") or "")
    if not cfg.get("path") or not path.exists():
        raise SourceError(f"folder source: path {str(path)!r} does not exist; set `path`")
    return path
