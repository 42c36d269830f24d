"""Miniature archives in exactly each source's published layout (names, nesting, list files).

Every image of class k is a solid ``COLORS[k]`` so a prepared image's colour tells its label.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.io
from PIL import Image

COLORS = [(220, 20, 20), (20, 200, 20), (20, 20, 220), (230, 230, 30), (200, 30, 200)]


@dataclass
class Built:
    """What a builder made: archive paths, and the expected class names / counts."""

    archives: list[Path]
    classes: list[str]
    train_counts: list[int]  # per class
    test_counts: list[int]  # per class; all zero when the source has no official split

    def checksums(self) -> dict[str, str]:
        return {p.name: "md5:" + hashlib.md5(p.read_bytes()).hexdigest() for p in self.archives}


def image_bytes(color: tuple[int, int, int], fmt: str = "JPEG", size=(48, 36)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    mode = "w:gz" if path.name.endswith(("gz", "tgz")) else "w"
    with tarfile.open(path, mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def cifar100(folder: Path, train=(3, 2, 4), test=(1, 2, 1)) -> Built:
    """``cifar-100-python/{train,test,meta}`` pickles; image j of a batch is solid (j, k*40, 7)."""
    names = ["apple", "bear", "castle"]
    members = {}
    for batch, counts in (("train", train), ("test", test)):
        labels = [k for k, n in enumerate(counts) for _ in range(n)]
        labels = labels[::2] + labels[1::2]  # interleave classes like the real batches
        data = np.stack([_cifar_row(j, k) for j, k in enumerate(labels)])
        record = {
            b"filenames": [f"img_{j}.png".encode() for j in range(len(labels))],
            b"batch_label": f"{batch} batch".encode(),
            b"fine_labels": labels,
            b"coarse_labels": [0] * len(labels),
            b"data": data,
        }
        members[f"cifar-100-python/{batch}"] = pickle.dumps(record, protocol=2)
    meta = {b"fine_label_names": [n.encode() for n in names], b"coarse_label_names": [b"x"]}
    members["cifar-100-python/meta"] = pickle.dumps(meta, protocol=2)
    members["cifar-100-python/file.txt~"] = b""
    archive = write_tar(folder / "cifar-100-python.tar.gz", members)
    return Built([archive], names, list(train), list(test))


def cifar_color(j: int, k: int) -> tuple[int, int, int]:
    return (j, k * 40, 7)


def _cifar_row(j: int, k: int) -> np.ndarray:
    image = np.empty((32, 32, 3), np.uint8)
    image[:] = cifar_color(j, k)
    return image.transpose(2, 0, 1).reshape(-1)  # rows are channel planes, like the real data


def stanford_dogs(folder: Path, train=(3, 2), test=(2, 1)) -> Built:
    """``images.tar`` (Images/<wnid>-<Breed>/) and ``lists.tar`` (*_list.mat) as published."""
    breeds = ["n02085620-Chihuahua", "n02085782-Japanese_spaniel"]
    images, lists = {}, {"train": [], "test": []}
    for k, breed in enumerate(breeds):
        wnid = breed.split("-")[0]
        for split, counts in (("train", train), ("test", test)):
            for i in range(counts[k]):
                name = f"{breed}/{wnid}_{split}{i}.jpg"
                images[f"Images/{name}"] = image_bytes(COLORS[k])
                lists[split].append((name, k + 1))
    members = {}
    for split in ("train", "test", "file"):
        entries = lists[split] if split != "file" else lists["train"] + lists["test"]
        members[f"{split}_list.mat"] = _mat_list(entries)
    write_tar(folder / "images.tar", images)
    write_tar(folder / "lists.tar", members)
    return Built(
        [folder / "images.tar", folder / "lists.tar"],
        ["Chihuahua", "Japanese_spaniel"],
        list(train),
        list(test),
    )


def _mat_list(entries: list[tuple[str, int]]) -> bytes:
    cells = np.empty((len(entries), 1), dtype=object)
    annotations = np.empty((len(entries), 1), dtype=object)
    for i, (name, _) in enumerate(entries):
        cells[i, 0] = np.array([name])
        annotations[i, 0] = np.array([name.removesuffix(".jpg")])
    labels = np.array([[label] for _, label in entries], dtype=np.uint8)
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"file_list": cells, "annotation_list": annotations, "labels": labels})
    return buffer.getvalue()


def imagenette(folder: Path, variant="imagenette2-320", train=(2, 3), val=(1, 2)) -> Built:
    """``<variant>.tgz`` with ``<variant>/{train,val}/<wnid>/*.JPEG`` and the noisy-labels csv."""
    wnids = ["n01440764", "n02102040"]
    members = {f"{variant}/noisy_imagenette.csv": b"path,noisy_labels_0\n"}
    for k, wnid in enumerate(wnids):
        for split, counts in (("train", train), ("val", val)):
            for i in range(counts[k]):
                members[f"{variant}/{split}/{wnid}/{wnid}_{i}.JPEG"] = image_bytes(COLORS[k])
    archive = write_tar(folder / f"{variant}.tgz", members)
    return Built([archive], ["tench", "English springer"], list(train), list(val))


def food101(folder: Path, train=(2, 3, 2), test=(1, 1, 2)) -> Built:
    """``food-101/images/<class>/<id>.jpg`` plus ``meta/{classes,labels,train,test}.txt``."""
    classes = ["apple_pie", "baby_back_ribs", "baklava"]
    members = {
        "food-101/README.txt": b"Food-101\n",
        "food-101/license_agreement.txt": b"\n",
        "food-101/meta/classes.txt": "\n".join(classes).encode() + b"\n",
        "food-101/meta/labels.txt": b"Apple pie\nBaby back ribs\nBaklava\n",
    }
    lines: dict[str, list[str]] = {"train": [], "test": []}
    image_id = 100
    for k, name in enumerate(classes):
        for split, counts in (("train", train), ("test", test)):
            for _ in range(counts[k]):
                image_id += 7
                lines[split].append(f"{name}/{image_id}")
                members[f"food-101/images/{name}/{image_id}.jpg"] = image_bytes(COLORS[k])
    for split in ("train", "test"):
        members[f"food-101/meta/{split}.txt"] = "\n".join(lines[split]).encode() + b"\n"
    archive = write_tar(folder / "food-101.tar.gz", members)
    return Built([archive], classes, list(train), list(test))


def asl_alphabet(folder: Path, counts=(3, 2, 2)) -> Built:
    """Kaggle's ``asl-alphabet.zip``: doubled train folder, 1-image-per-class test folder."""
    classes = ["A", "B", "del"]
    members = {}
    for k, name in enumerate(classes):
        for i in range(counts[k]):
            members[f"asl_alphabet_train/asl_alphabet_train/{name}/{name}{i + 1}.jpg"] = (
                image_bytes(COLORS[k])
            )
        members[f"asl_alphabet_test/asl_alphabet_test/{name}_test.jpg"] = image_bytes(COLORS[k])
    archive = write_zip(folder / "asl-alphabet.zip", members)
    return Built([archive], classes, list(counts), [0] * len(classes))


def plant_village(folder: Path, counts=(2, 3)) -> Built:
    """Kaggle's ``plantvillage-dataset.zip``: ``plantvillage dataset/<variant>/<class>/*``."""
    classes = ["Apple___Apple_scab", "Tomato___healthy"]
    members = {}
    for variant in ("color", "grayscale", "segmented"):
        for k, name in enumerate(classes):
            color = COLORS[k] if variant == "color" else (90, 90, 90)
            for i in range(counts[k]):
                members[f"plantvillage dataset/{variant}/{name}/img{i}_{variant}.JPG"] = (
                    image_bytes(color)
                )
    archive = write_zip(folder / "plantvillage-dataset.zip", members)
    return Built([archive], classes, list(counts), [0] * len(classes))
