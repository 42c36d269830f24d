"""Listings for the folder-based thesis datasets, each in its publisher's archive layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import scipy.io

from proxy_attention.data.sources.errors import LayoutError
from proxy_attention.data.sources.folders import class_folder_listing, find_class_root, subdirs
from proxy_attention.data.sources.spec import Item, Listing, folder_opener

# Imagenette's folders are ImageNet WordNet ids; names as in torchvision's Imagenette.
IMAGENETTE_NAMES = {
    "n01440764": "tench",
    "n02102040": "English springer",
    "n02979186": "cassette player",
    "n03000684": "chain saw",
    "n03028079": "church",
    "n03394916": "French horn",
    "n03417042": "garbage truck",
    "n03425413": "gas pump",
    "n03445777": "golf ball",
    "n03888257": "parachute",
}


def _single_root(roots: dict[str, Path]) -> Path:
    return next(iter(roots.values()))


def list_imagenette(roots: dict[str, Path], cfg: dict[str, Any]) -> Listing:
    """``imagenette2[-320|-160]/{train,val}/<wnid>/*.JPEG``; val is the official test split."""
    top = subdirs(_single_root(roots))
    if len(top) != 1:
        raise LayoutError(f"expected one imagenette2* folder, found {[p.name for p in top]}")
    return class_folder_listing(
        top[0],
        splits=(("train", "train"), ("val", "test")),
        class_name=lambda wnid: IMAGENETTE_NAMES.get(wnid, wnid),
    )


def list_food101(roots: dict[str, Path], cfg: dict[str, Any]) -> Listing:
    """``food-101/images/<class>/<id>.jpg``; classes and split from ``meta/*.txt``."""
    root = _single_root(roots) / "food-101"
    meta = root / "meta"
    if not (meta / "classes.txt").is_file():
        raise LayoutError(f"expected {meta / 'classes.txt'}; is this the Food-101 archive?")
    classes = (meta / "classes.txt").read_text().split()
    index = {name: i for i, name in enumerate(classes)}
    items: list[Item] = []
    for split in ("train", "test"):
        for line in (meta / f"{split}.txt").read_text().split():
            # Lines are "<class>/<image id>" without the extension.
            items.append(Item(f"images/{line}.jpg", index[line.split("/")[0]], split))
    return Listing(classes=classes, items=items, open=folder_opener(root), has_official_split=True)


def _mat_file_list(path: Path) -> list[str]:
    """The ``file_list`` cell array of a Stanford Dogs list file as plain strings."""
    if not path.is_file():
        raise LayoutError(f"expected {path}; is lists.tar the Stanford Dogs one?")
    cells = scipy.io.loadmat(path)["file_list"]
    return [str(np.ravel(cell)[0]) for cell in np.ravel(cells)]


def list_stanford_dogs(roots: dict[str, Path], cfg: dict[str, Any]) -> Listing:
    """``Images/<wnid>-<Breed>/<file>.jpg``; split from ``train_list.mat``/``test_list.mat``."""
    images = roots["images.tar"] / "Images"
    lists = roots["lists.tar"]
    if not images.is_dir():
        raise LayoutError(f"expected the folder {images}; is images.tar the Stanford Dogs one?")
    folders = [p.name for p in subdirs(images)]
    index = {name: i for i, name in enumerate(folders)}
    items = [
        Item(name, index[name.split("/")[0]], split)
        for split in ("train", "test")
        for name in _mat_file_list(lists / f"{split}_list.mat")
    ]
    return Listing(
        classes=[name.split("-", 1)[-1] for name in folders],  # "n02085620-Chihuahua"
        items=items,
        open=folder_opener(images),
        has_official_split=True,
    )


def list_asl_alphabet(roots: dict[str, Path], cfg: dict[str, Any]) -> Listing:
    """``asl_alphabet_train/asl_alphabet_train/<A..Z|del|nothing|space>/*.jpg``.

    The archive's ``asl_alphabet_test`` holds one image per class (28), a sanity check rather
    than a split, so it is left out and the dataset has no official split.
    """
    train = _single_root(roots) / "asl_alphabet_train"
    if not train.is_dir():
        raise LayoutError(f"expected the folder {train}; is this the ASL Alphabet archive?")
    return class_folder_listing(find_class_root(train))


def list_plant_village(roots: dict[str, Path], cfg: dict[str, Any]) -> Listing:
    """``plantvillage dataset/<color|grayscale|segmented>/<Crop___Disease>/*``; cfg ``variant``."""
    variant = cfg.get("variant") or "color"
    root = _single_root(roots)
    matches = sorted(p for p in [root / variant, *root.glob(f"*/{variant}")] if p.is_dir())
    if not matches:
        raise LayoutError(f"no {variant!r} folder in {root}; is this the PlantVillage archive?")
    return class_folder_listing(matches[0])
