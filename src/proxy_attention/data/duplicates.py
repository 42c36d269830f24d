"""Images that appear in two splits: byte-identical ones, which leak the test set into training
(the leak the thesis measures), and near-duplicates, counted by perceptual hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import imagehash
import numpy as np
from PIL import Image

from proxy_attention.errors import UserError

# The split pairs counted: an image of the second split whose twin is in the first.
PAIRS = (("train", "val"), ("train", "test"), ("val", "test"))
# Perceptual hashes at most this many of their 64 bits apart are near-duplicates: imagehash's
# own example cutoff (< 5); a re-encoded copy differs by 0-2 bits, a crop by more.
NEAR_BITS = 4
_CHUNK = 64  # second-split hashes compared at once: 64 x N uint64 XORs (50 MB at 100k)


class DuplicateLeak(UserError):
    """Test images byte-identical to training images, and the params do not keep them."""


class Tally:
    """Per image, its exact key (a digest of its pixels) and near key (its perceptual hash)."""

    def __init__(self) -> None:
        self.exact: list[bytes] = []
        self.near: list[int] = []

    def add(self, image: np.ndarray) -> None:
        self.exact.append(hashlib.blake2b(image.tobytes(), digest_size=16).digest())
        # phash (the DCT of the 32x32 greyscale) barely moves when a photo is re-encoded or
        # resized, so a re-saved copy in another split is found too.
        self.near.append(int(str(imagehash.phash(Image.fromarray(image))), 16))

    def counts(self, parts: Mapping[str, np.ndarray]) -> dict[str, dict[str, int]]:
        """``{"exact": {"train/test": n, ...}, "near": {...}}``: per pair of ``parts`` (split
        name -> image indices), how many images of the second have a twin in the first."""
        pairs = [(a, b) for a, b in PAIRS if len(parts.get(a, ())) and len(parts.get(b, ()))]
        near = np.array(self.near, dtype=np.uint64)
        return {
            "exact": {f"{a}/{b}": _twins(self.exact, parts[a], parts[b]) for a, b in pairs},
            "near": {f"{a}/{b}": _near_twins(near, parts[a], parts[b]) for a, b in pairs},
        }

    def repeated(self) -> dict[str, int]:
        """How many images repeat an earlier one byte for byte (whatever their split)."""
        return {"exact": len(self.exact) - len(set(self.exact))}

    def leaked(self, parts: Mapping[str, np.ndarray]) -> int:
        """Test images byte-identical to a training or validation image (with folds, every
        validation image is trained on)."""
        pool = np.concatenate([parts.get("train", []), parts.get("val", [])]).astype(np.int64)
        return _twins(self.exact, pool, parts.get("test", np.array([], np.int64)))

    def report(self, parts: Mapping[str, np.ndarray]) -> dict:
        """What report.json and the split's duplicates file hold."""
        return {
            **self.counts(parts),
            "repeated": self.repeated(),
            "test_leaked": self.leaked(parts),
        }


def tally(images: Iterable[np.ndarray]) -> Tally:
    """The keys of every image (uint8 H x W x 3), in order."""
    result = Tally()
    for image in images:
        result.add(np.asarray(image))
    return result


def _twins(keys: list, first: np.ndarray, second: np.ndarray) -> int:
    seen = {keys[i] for i in first}
    return sum(keys[i] in seen for i in second)


def _near_twins(hashes: np.ndarray, first: np.ndarray, second: np.ndarray) -> int:
    """Images of ``second`` within NEAR_BITS of some image of ``first`` (by Hamming distance;
    no index structure: a chunked XOR and popcount takes seconds at 100k x 25k images)."""
    pool, found = hashes[np.asarray(first, dtype=np.int64)], 0
    for start in range(0, len(second), _CHUNK):
        chunk = hashes[np.asarray(second[start : start + _CHUNK], dtype=np.int64)]
        distances = np.bitwise_count(chunk[:, None] ^ pool[None, :])
        found += int((distances.min(axis=1) <= NEAR_BITS).sum())
    return found


def check_test_leak(dataset: str, leaked: int, keep: bool) -> None:
    """Refuse a split whose test set holds ``leaked`` images byte-identical to training images,
    unless ``split.keep_duplicates`` says to keep them."""
    if leaked and not keep:
        raise DuplicateLeak(
            f"{dataset}: {leaked} test images are byte-identical to training or validation "
            "images, so the test accuracy would measure memory; remove the duplicates from the "
            "source, or set split.keep_duplicates: true to keep them"
        )


def split_duplicates(images: np.ndarray, split) -> dict:
    """The duplicates report of a split (data/split.py's Split) of ``images`` (N, H, W, 3)."""
    parts = {"train": split.train, "val": split.val, "test": split.test}
    return tally(images).report(parts)
