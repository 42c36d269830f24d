"""What a dataset source is: where its archives live, how to list its images and labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from PIL import Image

from proxy_attention.data.sources.errors import SourceError


class Item(NamedTuple):
    """One image before decoding: a key (relative path or ``batch/index``), label, split."""

    key: str
    label: int
    split: str | None


@dataclass
class Listing:
    """Every image of a dataset, cheap to hold (no pixels); ``open`` decodes one lazily."""

    classes: list[str]
    items: list[Item]
    open: Callable[[Item], Image.Image]
    has_official_split: bool = False


@dataclass(frozen=True)
class RemoteFile:
    """An archive the source needs: its name in raw_dir, official URL and published digest."""

    name: str
    url: str | None
    digest: str | None
    note: str = ""
    size: int | None = None  # bytes, where published: the download's cap (else the dataset's)


@dataclass(frozen=True)
class Source:
    """A registry entry: files to fetch (by URL or from Kaggle) and a listing function.

    ``list_images(roots, cfg)`` gets each archive's extraction folder by file name (or, for a
    local ``path``, that folder or extracted archive under "path") and returns the Listing.
    The last three fields say how a source departs from "fetch, extract, list"; most leave
    them None.
    """

    name: str
    description: str
    files: tuple[RemoteFile, ...] = ()
    kaggle: str | None = None
    list_images: Callable[[dict[str, Path], dict[str, Any]], Listing] | None = None
    homepage: str = ""
    variants: dict[str, tuple[RemoteFile, ...]] = field(default_factory=dict)
    # Side of the images as published, where the source fixes it (digits 8, CIFAR 32): an image
    # upscaled from it holds no detail finer than one native pixel (explain/faithfulness.py).
    native_size: int | None = None
    # (cfg, out_dir) -> out_dir: writes the prepared format itself (digits: no archive).
    prepare: Callable[[dict[str, Any], Path], Path] | None = None
    # cfg -> the files the entry itself names (the folder source's ``url``), instead of ``files``.
    files_from: Callable[[dict[str, Any]], tuple[RemoteFile, ...]] | None = None
    # cfg -> a local folder or archive to read instead of downloads, or None (folder's ``path``).
    local_path: Callable[[dict[str, Any]], Path | None] | None = None

    def files_for(self, cfg: dict[str, Any]) -> tuple[RemoteFile, ...]:
        """The files the download step fetches for cfg: those the entry names, those of its
        ``variant`` (Imagenette sizes, ...), else the default files."""
        if self.files_from is not None:
            return self.files_from(cfg)
        variant = cfg.get("variant")
        if variant is None or not self.variants:
            return self.files
        if variant not in self.variants:
            raise SourceError(
                f"{self.name}: unknown variant {variant!r}; choose one of {sorted(self.variants)}"
            )
        return self.variants[variant]

    def local_input(self, cfg: dict[str, Any]) -> Path | None:
        """The local folder or archive cfg points to, checked to exist; None: downloads."""
        return None if self.local_path is None else self.local_path(cfg)


def folder_opener(root: Path) -> Callable[[Item], Image.Image]:
    """Open items whose key is a path relative to ``root``."""

    def _open(item: Item) -> Image.Image:
        return Image.open(root / item.key)

    return _open
