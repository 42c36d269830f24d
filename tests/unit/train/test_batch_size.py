"""Batch-size finder: doubling from 2, the caps, the CPU memory estimate and the shared cache."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from proxy_attention.atomic import read_json
from proxy_attention.errors import UserError
from proxy_attention.train.batch_size import (
    DoesNotFit,
    activation_bytes_per_image,
    budget_step,
    cached_batch_size,
    device_step,
    find_batch_size,
    resolve_batch_size,
)


class FakeDevice:
    """A device with room for ``limit`` images: larger steps raise CUDA's out-of-memory error."""

    def __init__(self, limit: int, error: type[Exception] = torch.cuda.OutOfMemoryError) -> None:
        self.limit, self.error, self.tried = limit, error, []

    def step(self, batch_size: int) -> None:
        self.tried.append(batch_size)
        if batch_size > self.limit:
            raise self.error("CUDA out of memory. Tried to allocate 2.00 GiB")


def test_doubles_from_two_and_keeps_the_last_size_that_fit():
    device = FakeDevice(48)
    assert find_batch_size(device.step, dataset_size=10_000, max_batch_size=1024) == 32
    assert device.tried == [2, 4, 8, 16, 32, 64]


def test_backend_out_of_memory_runtime_errors_count_as_not_fitting():
    device = FakeDevice(100, error=RuntimeError)
    assert find_batch_size(device.step, max_batch_size=4096) == 64


def test_capped_by_the_dataset_and_the_maximum():
    device = FakeDevice(10_000)
    assert find_batch_size(device.step, dataset_size=20, max_batch_size=1024) == 20
    assert device.tried == [2, 4, 8, 16, 20]
    assert find_batch_size(FakeDevice(10_000).step, dataset_size=5000, max_batch_size=96) == 96
    assert find_batch_size(FakeDevice(10_000).step, dataset_size=1) == 1


def test_other_errors_propagate_and_nothing_fitting_is_a_user_error():
    with pytest.raises(ValueError, match="shape"):
        find_batch_size(lambda n: (_ for _ in ()).throw(ValueError("bad shape")), 100)
    with pytest.raises(UserError, match="not even a batch of 2"):
        find_batch_size(FakeDevice(1).step, 100)


def test_activation_estimate_of_a_linear_layer():
    """Linear saves its float32 input for the weight gradient: 3*8*8*4 = 768 bytes per image."""
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 10))
    assert activation_bytes_per_image(model, 8) == 768


def test_cpu_budget_caps_the_size():
    """Fixed: 4 copies of (192*10+10)*4 bytes = 30880; per image: 2 * 768. At 100000 bytes,
    32 images need 80032 and fit, 64 need 129184 and do not."""
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 10))
    step = budget_step(model, 8, budget_bytes=100_000)
    step(32)
    with pytest.raises(DoesNotFit):
        step(64)
    assert find_batch_size(step, dataset_size=1000, max_batch_size=1024) == 32


def test_real_step_runs_and_leaves_no_gradients():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.LazyLinear(3))
    model(torch.rand(1, 3, 8, 8))
    before = [p.detach().clone() for p in model.parameters()]
    device_step(model, 8, 3, torch.device("cpu"))(4)
    assert all(p.grad is None for p in model.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


def test_cache_is_shared_and_hit(tmp_path):
    cache = tmp_path / "cache" / "batch_size.json"
    calls = []
    assert cached_batch_size(cache, "m|32px|cpu", lambda: calls.append(1) or 32) == 32
    assert cached_batch_size(cache, "m|32px|cpu", lambda: calls.append(1) or 64) == 32
    assert cached_batch_size(cache, "m|64px|cpu", lambda: calls.append(1) or 8) == 8
    assert len(calls) == 2
    assert read_json(cache) == {"m|32px|cpu": 32, "m|64px|cpu": 8}


def test_resolve_fixed_auto_and_dataset_cap(tmp_path):
    cache = tmp_path / "batch_size.json"
    settings = {"batch_size": 48, "max_batch_size": 1024, "memory_budget_gb": None}
    assert (
        resolve_batch_size(settings, "test_efficientnet", 16, 3, 54, torch.device("cpu"), cache)
        == 48
    )
    assert not cache.exists()
    settings.update(batch_size="auto", max_batch_size=16, memory_budget_gb=1.0)
    cpu = torch.device("cpu")
    rng_before = torch.get_rng_state()
    assert resolve_batch_size(settings, "test_efficientnet", 16, 3, 54, cpu, cache) == 16
    # The probe model must not shift the run's random stream (cache hit or miss alike).
    assert torch.equal(torch.get_rng_state(), rng_before)
    assert read_json(cache) == {"test_efficientnet|16px|cpu:1.0GB|max16": 16}
    # A smaller training set caps the shared answer; the cache keeps the device's answer.
    assert resolve_batch_size(settings, "test_efficientnet", 16, 3, 10, cpu, cache) == 10
    assert read_json(cache) == {"test_efficientnet|16px|cpu:1.0GB|max16": 16}
