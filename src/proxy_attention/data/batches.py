"""An epoch of training batches on the device: gathered by index and augmented as whole batches,
or (for per-sample policies) loaded one image at a time by a DataLoader.

Both shuffle with the run's loader generator, which the resume state holds, and yield
(float images in [0, 1] on the device, labels on the device).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader

from proxy_attention.data.conversions import to_float
from proxy_attention.data.views import ImageStore, TrainingImages

BatchTransform = Callable[[torch.Tensor], torch.Tensor]
Batch = tuple[torch.Tensor, torch.Tensor]


class DeviceBatches:
    """Batches read from the store in one gather per batch and augmented on the device.

    The fastest CIFAR trainers work this way: no per-image Python, no worker processes, and on
    a GPU the host only sends indices (resident data) or one pinned copy per batch.
    """

    def __init__(
        self,
        store: ImageStore,
        indices: np.ndarray,
        batch_size: int,
        generator: torch.Generator,
        device: torch.device,
        transform: BatchTransform,
    ) -> None:
        self.store, self.indices = store, np.asarray(indices)
        self.batch_size, self.generator = batch_size, generator
        self.device, self.transform = device, transform

    def __len__(self) -> int:
        return -(-len(self.indices) // self.batch_size)

    def __iter__(self) -> Iterator[Batch]:
        order = torch.randperm(len(self.indices), generator=self.generator).numpy()
        for start in range(0, len(order), self.batch_size):
            chunk = self.indices[order[start : start + self.batch_size]]
            labels = torch.from_numpy(self.store.labels[chunk]).to(self.device, non_blocking=True)
            with torch.no_grad():
                images = self.transform(to_float(self.store.gather(chunk, self.device)))
            yield images, labels


class LoaderBatches:
    """A DataLoader over the per-sample view (on workers where there are some), then the batch
    steps on the device."""

    def __init__(
        self,
        train_set: TrainingImages,
        batch_size: int,
        generator: torch.Generator,
        device: torch.device,
        transform: BatchTransform,
        workers: int,
    ) -> None:
        self.train_set, self.device, self.transform = train_set, device, transform
        self.loader = DataLoader(
            train_set,
            batch_size=batch_size,
            shuffle=True,
            generator=generator,
            num_workers=workers,
            pin_memory=device.type == "cuda",
            # Fresh workers per epoch are seeded from the generator, which the resume state
            # holds; persistent workers would carry random state no checkpoint can capture.
            persistent_workers=False,
        )

    @property
    def indices(self) -> np.ndarray:
        return self.train_set.indices

    @indices.setter
    def indices(self, indices: np.ndarray) -> None:
        self.train_set.indices = np.asarray(indices)

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[Batch]:
        for images, labels in self.loader:
            with torch.no_grad():
                images = self.transform(images.to(self.device, non_blocking=True))
            yield images, labels.to(self.device, non_blocking=True)
