"""The batched data path: one gather per batch, every index once per epoch in the generator's
order, proxies read where mapped, and the same batches whether the originals are resident."""

import numpy as np
import pytest
import torch

from proxy_attention.data.batches import DeviceBatches, LoaderBatches
from proxy_attention.data.views import ImageStore, TrainingImages
from proxy_attention.proxy.overlay import ProxyOverlay
from tests.unit.data.test_views import base_images, write_step

CPU = torch.device("cpu")


def _store(tmp_path, resident: bool) -> ImageStore:
    store = ImageStore(base_images(10), np.arange(10) % 3, ProxyOverlay(10))
    store.overlay.apply_step(write_step(tmp_path / "step-01", [2, 7], 200))
    if resident:
        assert store.keep_resident(CPU, free_bytes=10**9, share=0.5)
    return store


def _epoch(batches) -> list[tuple[list[int], list[int]]]:
    """Each batch as (the value every image holds, its labels)."""
    return [
        ((images[:, 0, 0, 0] * 255).round().int().tolist(), labels.tolist())
        for images, labels in batches
    ]


@pytest.mark.parametrize("resident", [False, True], ids=["streamed", "resident"])
def test_an_epoch_reads_every_index_once_in_the_generators_order(tmp_path, resident):
    store = _store(tmp_path, resident)
    indices = np.array([0, 1, 2, 3, 5, 7, 9])
    batches = DeviceBatches(store, indices, 3, torch.Generator().manual_seed(4), CPU, lambda x: x)
    epoch = _epoch(batches)
    assert len(batches) == len(epoch) == 3 and [len(v) for v, _ in epoch] == [3, 3, 1]
    order = indices[torch.randperm(7, generator=torch.Generator().manual_seed(4)).numpy()]
    values = [v for batch, _ in epoch for v in batch]
    assert values == [200 if i in (2, 7) else i for i in order]  # proxies where mapped
    assert [label for _, labels in epoch for label in labels] == (order % 3).tolist()
    assert _epoch(batches) != epoch  # the next epoch draws a new order from the same stream


def test_resident_and_streamed_batches_are_identical(tmp_path):
    epochs = []
    for resident in (False, True):
        batches = DeviceBatches(
            _store(tmp_path / str(resident), resident),
            np.arange(10),
            4,
            torch.Generator().manual_seed(0),
            CPU,
            lambda x: x.flip(-1),
        )
        epochs.append([(images.clone(), labels) for images, labels in batches])
    for (a, la), (b, lb) in zip(*epochs, strict=True):
        assert torch.equal(a, b) and torch.equal(la, lb)


def test_the_store_stays_on_the_host_when_it_does_not_fit(tmp_path):
    store = ImageStore(base_images(10), np.zeros(10, dtype=np.int64))
    assert not store.keep_resident(CPU, free_bytes=store.images.nbytes, share=0.5)
    assert store.resident is None


def test_the_per_sample_loader_feeds_the_batch_steps_and_follows_a_resplit(tmp_path):
    store = _store(tmp_path, resident=False)
    per_sample = TrainingImages(store, np.arange(4), lambda image: image.float() / 255.0)
    batches = LoaderBatches(
        per_sample, 2, torch.Generator().manual_seed(0), CPU, lambda x: 1.0 - x, workers=0
    )
    values = sorted(v for batch, _ in _epoch(batches) for v in batch)
    assert values == sorted(255 - v for v in (0, 1, 200, 3))  # batch steps after the loader
    batches.indices = np.array([5, 7])
    assert len(batches) == 1
    assert sorted(_epoch(batches)[0][0]) == [55, 250]
