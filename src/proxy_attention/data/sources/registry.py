"""The dataset sources of the thesis: official locations, digests and layouts.

Adding a source is one Source entry here (its files and a listing function, e.g. in
layouts.py) plus its test, and its name in the params schema's ``source`` enum
(a unit test checks that the two agree).
"""

from __future__ import annotations

from proxy_attention.data.sources.cifar import list_cifar100
from proxy_attention.data.sources.digits import DESCRIPTION as DIGITS_DESCRIPTION
from proxy_attention.data.sources.digits import prepare_digits
from proxy_attention.data.sources.folders import folder_path, folder_remote, list_folder
from proxy_attention.data.sources.layouts import (
    list_asl_alphabet,
    list_food101,
    list_imagenette,
    list_plant_village,
    list_stanford_dogs,
)
from proxy_attention.data.sources.spec import RemoteFile, Source

_IMAGENETTE = "https://s3.amazonaws.com/fast-ai-imageclas"
_IMAGENETTE_NOTE = "md5 as pinned by torchvision.datasets.Imagenette (fastai publishes none)"
_IMAGENETTE_VARIANTS = {
    "full": (
        RemoteFile(
            "imagenette2.tgz",
            f"{_IMAGENETTE}/imagenette2.tgz",
            "md5:fe2fc210e6bb7c5664d602c3cd71e612",
            _IMAGENETTE_NOTE,
        ),
    ),
    "320px": (
        RemoteFile(
            "imagenette2-320.tgz",
            f"{_IMAGENETTE}/imagenette2-320.tgz",
            "md5:3df6f0d01a2c9592104656642f5e78a3",
            _IMAGENETTE_NOTE,
        ),
    ),
    "160px": (
        RemoteFile(
            "imagenette2-160.tgz",
            f"{_IMAGENETTE}/imagenette2-160.tgz",
            "md5:e793b78cc4c9e9a4ccc0c1155377a412",
            _IMAGENETTE_NOTE,
        ),
    ),
}

# Stanford publishes no checksums. These md5s of the unchanged 2011 files are the ones pinned
# independently by several public loaders of the dataset (found by searching public code for
# the file names; they agree with each other), so a changed or damaged file is still caught.
_DOGS = "http://vision.stanford.edu/aditya86/ImageNetDogs"
_DOGS_NOTE = "no published checksum; md5 as pinned by independent public loaders"

SOURCES: dict[str, Source] = {
    "digits": Source(
        name="digits",
        description=DIGITS_DESCRIPTION,
        native_size=8,
        prepare=prepare_digits,
    ),
    "cifar100": Source(
        name="cifar100",
        native_size=32,
        description="CIFAR-100, python pickles; fine labels; official test batch",
        homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
        files=(
            RemoteFile(
                "cifar-100-python.tar.gz",
                "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
                "md5:eb9058c3a382ffc7106e4002c42a8d85",
                "md5 published on the CIFAR page (also in torchvision.datasets.CIFAR100)",
            ),
        ),
        list_images=list_cifar100,
    ),
    "stanford_dogs": Source(
        name="stanford_dogs",
        description="Stanford Dogs, 120 breeds; official split from lists.tar",
        homepage="http://vision.stanford.edu/aditya86/ImageNetDogs/",
        files=(
            RemoteFile(
                "images.tar",
                f"{_DOGS}/images.tar",
                "md5:1bb1f2a596ae7057f99d7d75860002ef",
                _DOGS_NOTE,
            ),
            RemoteFile(
                "lists.tar",
                f"{_DOGS}/lists.tar",
                "md5:edbb9f16854ec66506b5f09b583e0656",
                _DOGS_NOTE,
            ),
        ),
        list_images=list_stanford_dogs,
    ),
    "imagenette": Source(
        name="imagenette",
        description="Imagenette (10 ImageNet classes); cfg variant full|320px|160px; val = test",
        homepage="https://github.com/fastai/imagenette",
        files=_IMAGENETTE_VARIANTS["320px"],  # shortest side 320 px: enough for 224 px inputs
        variants=_IMAGENETTE_VARIANTS,
        list_images=list_imagenette,
    ),
    "asl_alphabet": Source(
        name="asl_alphabet",
        description="ASL Alphabet (29 classes, Kaggle grassknoted/asl-alphabet); no official split",
        homepage="https://www.kaggle.com/datasets/grassknoted/asl-alphabet",
        kaggle="grassknoted/asl-alphabet",
        # Kaggle publishes no checksum: the archive is CRC-checked and its sha256 recorded.
        files=(RemoteFile("asl-alphabet.zip", None, None, "Kaggle: no published checksum"),),
        list_images=list_asl_alphabet,
    ),
    "food101": Source(
        name="food101",
        description="Food-101 (101 classes); official split from meta/train.txt, meta/test.txt",
        homepage="https://data.vision.ee.ethz.ch/cvl/datasets_extra/food-101/",
        files=(
            RemoteFile(
                "food-101.tar.gz",
                "http://data.vision.ee.ethz.ch/cvl/food-101.tar.gz",
                "md5:85eeb15f3717b99a5da872d97d918f87",
                "md5 as pinned by torchvision.datasets.Food101",
            ),
        ),
        list_images=list_food101,
    ),
    "plant_village": Source(
        name="plant_village",
        # The Kaggle copy of the original PlantVillage release (Hughes & Salathe; 54,305
        # images, 38 classes, color/grayscale/segmented), the one most papers cite.
        description="PlantVillage (38 classes, Kaggle abdallahalidev/plantvillage-dataset); "
        "cfg variant color|grayscale|segmented; no official split",
        homepage="https://www.kaggle.com/datasets/abdallahalidev/plantvillage-dataset",
        kaggle="abdallahalidev/plantvillage-dataset",
        files=(
            RemoteFile("plantvillage-dataset.zip", None, None, "Kaggle: no published checksum"),
        ),
        list_images=list_plant_village,
    ),
    "folder": Source(
        name="folder",
        description="a local folder or .zip/.tar/.tar.gz with one sub-folder per class (cfg path)",
        list_images=list_folder,
        files_from=folder_remote,
        local_path=folder_path,
    ),
}
