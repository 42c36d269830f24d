"""Training-time views of a prepared dataset: the store batches are gathered from (resident on
the training device where it fits), and the per-sample view for the DataLoader."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol

import numpy as np
import torch
from torch.utils.data import Dataset

from proxy_attention.data.conversions import to_float


class Overlay(Protocol):
    """Where each index reads its image: the original in ``base``, or a replacement.

    The proxy step's ProxyOverlay (proxy/overlay.py) is one; the store is given it rather
    than importing it, so data/ does not depend on proxy/.
    """

    def __len__(self) -> int: ...  # how many indices read a replacement

    def image(self, index: int, base: np.ndarray) -> np.ndarray: ...

    def batch(self, indices: np.ndarray, base: np.ndarray) -> np.ndarray: ...

    def replaced_in(self, indices: np.ndarray) -> np.ndarray: ...  # positions read elsewhere


class Originals:
    """The overlay that replaces nothing: every index reads its original."""

    def __len__(self) -> int:
        return 0

    def image(self, index: int, base: np.ndarray) -> np.ndarray:
        return base[index]

    def batch(self, indices: np.ndarray, base: np.ndarray) -> np.ndarray:
        return read_rows(base, indices)

    def replaced_in(self, indices: np.ndarray) -> np.ndarray:
        return np.empty(0, dtype=np.int64)


def read_rows(base: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``base[indices]`` as an in-memory copy, in the order of ``indices``."""
    # A memory-mapped base is read in ascending order (sequential pages), then reordered.
    return np.asarray(base[np.sort(indices)])[np.argsort(np.argsort(indices))]


class ImageStore:
    """The prepared images as training currently sees them: originals, or proxies where mapped.

    ``resident`` holds the originals as one uint8 tensor on the training device once
    ``keep_resident`` found room for them there; batches are then gathered on the device, and
    only the (few) proxy images cross from the host.
    """

    def __init__(
        self, images: np.ndarray, labels: np.ndarray, overlay: Overlay | None = None
    ) -> None:
        self.images = images
        self.labels = labels
        self.overlay: Overlay = Originals() if overlay is None else overlay
        self.resident: torch.Tensor | None = None

    def keep_resident(self, device: torch.device, free_bytes: int, share: float) -> bool:
        """Copy the originals to ``device`` if they take at most ``share`` of its free memory."""
        if self.images.nbytes > share * free_bytes:
            return False
        self.resident = torch.from_numpy(np.ascontiguousarray(self.images)).to(device)
        return True

    def gather(self, indices: np.ndarray, device: torch.device) -> torch.Tensor:
        """uint8 (B, H, W, C) images of ``indices`` on ``device``: one read and one copy."""
        if self.resident is None:
            host = torch.from_numpy(self.read(indices))
            # Pinned pages let the copy run asynchronously while the device computes.
            host = host.pin_memory() if device.type == "cuda" else host
            return host.to(device, non_blocking=True)
        images = self.resident[torch.from_numpy(indices).to(self.resident.device)].to(device)
        positions = self.overlay.replaced_in(indices)
        if positions.size:
            proxies = np.stack([self.read_one(int(indices[p])) for p in positions])
            images[torch.from_numpy(positions).to(device)] = torch.from_numpy(proxies).to(device)
        return images

    def read(self, indices: np.ndarray) -> np.ndarray:
        return self.overlay.batch(np.asarray(indices), self.images)

    def read_one(self, index: int) -> np.ndarray:
        return self.overlay.image(index, self.images)

    def batches(
        self, indices: np.ndarray, batch_size: int, device: torch.device
    ) -> Iterator[tuple[np.ndarray, torch.Tensor, torch.Tensor]]:
        """Yield (indices, float images in [0, 1], labels) on ``device``, un-augmented."""
        for start in range(0, len(indices), batch_size):
            chunk = np.asarray(indices[start : start + batch_size])
            labels = torch.from_numpy(self.labels[chunk])
            yield chunk, to_float(self.gather(chunk, device)), labels.to(device, non_blocking=True)


class TrainingImages(Dataset):
    """Per-sample view for the DataLoader: uint8 CHW image through ``transform``, and its label."""

    def __init__(
        self,
        store: ImageStore,
        indices: np.ndarray,
        transform: Callable[[torch.Tensor], torch.Tensor],
    ) -> None:
        self.store = store
        self.indices = np.asarray(indices)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, position: int) -> tuple[torch.Tensor, int]:
        index = int(self.indices[position])
        # A copy: memory-mapped pages are read-only and torch wants a writable buffer.
        image = torch.from_numpy(np.array(self.store.read_one(index))).permute(2, 0, 1)
        with _one_thread():
            image = self.transform(image)
        return image, int(self.store.labels[index])


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Run per-sample transforms on one intra-op thread.

    Splitting a rotation of one small image across threads costs more in synchronisation than
    it saves (measured 0.7 ms on one thread against 8 ms on two busy cores); the training
    step keeps every thread.
    """
    threads = torch.get_num_threads()
    if threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
