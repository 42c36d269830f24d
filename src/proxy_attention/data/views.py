"""Training-time views of a prepared dataset: per-sample for the DataLoader, batched for eval."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch.utils.data import Dataset

from proxy_attention.proxy.images import to_float
from proxy_attention.proxy.overlay import ProxyOverlay


class ImageStore:
    """The prepared images as training currently sees them: originals, or proxies where mapped."""

    def __init__(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.images = images
        self.labels = labels
        self.overlay = ProxyOverlay(len(labels))

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
            images = torch.from_numpy(self.read(chunk))
            labels = torch.from_numpy(self.labels[chunk])
            yield (
                chunk,
                to_float(images.to(device, non_blocking=True)),
                labels.to(device, non_blocking=True),
            )


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
