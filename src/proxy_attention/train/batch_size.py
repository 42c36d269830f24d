"""Batch-size finder (the source thesis' Algorithm 1), cached so every variant shares one size.

Start at 2 and double while one training step (forward, backward, optimizer step on random
data) fits; the first size that does not fit ends the search with the previous one. Sizes are
capped by ``train.max_batch_size`` and by the training-set size. On CUDA "fits" means no
out-of-memory error; on CPU, where running out of memory kills the process instead of raising,
it means an estimate of the step's memory stays within ``train.memory_budget_gb``.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import torch
from torch import nn
from torch.nn import functional as F

from proxy_attention.atomic import read_json, write_json
from proxy_attention.errors import UserError
from proxy_attention.layout import BATCH_SIZE_CACHE

DEFAULT_CACHE = Path(BATCH_SIZE_CACHE)
START = 2
# Weights, their gradients and AdamW's two moments: four parameter-sized buffers.
PARAMETER_COPIES = 4
# Backward holds the saved activations and, layer by layer, gradients of the same size.
ACTIVATION_COPIES = 2


class DoesNotFit(Exception):
    """A batch size exceeds the device memory or the CPU memory budget."""


def find_batch_size(
    try_step: Callable[[int], None],
    dataset_size: int | None = None,
    max_batch_size: int | None = None,
    start: int = START,
) -> int:
    """Largest size in start, 2*start, 4*start, ... (capped) for which ``try_step`` succeeds.

    ``try_step(n)`` runs one training step with a batch of ``n`` and raises DoesNotFit or an
    out-of-memory error when it does not fit; any other error propagates.
    """
    limits = [n for n in (dataset_size, max_batch_size) if n is not None]
    cap = min(limits) if limits else None
    if cap is not None and cap < 1:
        raise ValueError(f"batch-size cap must be >= 1, got {cap}")
    size = start if cap is None else min(start, cap)
    fitting = None
    while True:
        try:
            try_step(size)
        except Exception as exc:
            if not is_out_of_memory(exc):
                raise
            break
        fitting = size
        if cap is not None and size >= cap:
            break
        size = size * 2 if cap is None else min(size * 2, cap)
    if fitting is None:
        raise UserError(
            f"train.batch_size auto: not even a batch of {size} fits in memory; "
            "use a smaller model or image size, or raise train.memory_budget_gb"
        )
    return fitting


def is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, DoesNotFit | torch.cuda.OutOfMemoryError):
        return True
    # cuDNN and other backends report allocation failures as plain RuntimeErrors.
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def device_step(
    model: nn.Module, image_size: int, num_classes: int, device: torch.device
) -> Callable[[int], None]:
    """One real AdamW step on random data, mixed precision on CUDA (as train_epoch runs it)."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    use_amp = device.type == "cuda"
    scaler = torch.amp.GradScaler(device.type, enabled=use_amp)

    def step(batch_size: int) -> None:
        try:
            images = torch.rand(batch_size, 3, image_size, image_size, device=device)
            labels = torch.randint(num_classes, (batch_size,), device=device)
            with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp):
                loss = F.cross_entropy(model(images), labels)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            if use_amp:
                torch.cuda.synchronize(device)
        finally:
            images = labels = loss = None  # release before the next, larger attempt
            optimizer.zero_grad(set_to_none=True)
            if use_amp:
                torch.cuda.empty_cache()

    return step


def activation_bytes_per_image(model: nn.Module, image_size: int) -> int:
    """Bytes autograd saves for backward per image, from forward passes of 2 and 4 images.

    The difference of the two removes what does not grow with the batch (saved weights).
    """
    was_training = model.training
    model.train()
    totals = []
    try:
        for batch in (2, 4):
            seen: dict[int, int] = {}

            def pack(tensor: torch.Tensor, seen=seen) -> torch.Tensor:
                storage = tensor.untyped_storage()
                seen[storage.data_ptr()] = storage.nbytes()
                return tensor

            with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
                model(torch.rand(batch, 3, image_size, image_size))
            totals.append(sum(seen.values()))
    finally:
        model.train(was_training)
    return max(0, (totals[1] - totals[0]) // 2)


def budget_step(model: nn.Module, image_size: int, budget_bytes: int) -> Callable[[int], None]:
    """A CPU stand-in for a step: DoesNotFit when its estimated memory exceeds the budget."""
    fixed = PARAMETER_COPIES * sum(p.numel() * p.element_size() for p in model.parameters())
    per_image = ACTIVATION_COPIES * activation_bytes_per_image(model, image_size)

    def step(batch_size: int) -> None:
        needed = fixed + batch_size * per_image
        if needed > budget_bytes:
            raise DoesNotFit(f"batch {batch_size}: about {needed / 2**30:.2f} GiB needed")

    return step


def cached_batch_size(cache_path: str | os.PathLike, key: str, find: Callable[[], int]) -> int:
    """The size stored under ``key``, or ``find()`` stored there; parallel jobs take turns."""
    cache_path = Path(cache_path)
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    # One lock for the whole search: a second job waits and reads the first one's answer
    # instead of measuring a GPU the first one is still using.
    with open(cache_path.with_name(cache_path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        entries = read_json(cache_path) if cache_path.exists() else {}
        if key not in entries:
            entries[key] = find()
            write_json(cache_path, entries)
        return int(entries[key])


def resolve_batch_size(
    train: dict[str, Any],
    model_name: str,
    image_size: int,
    num_classes: int,
    dataset_size: int,
    device: torch.device,
    cache_path: str | os.PathLike = DEFAULT_CACHE,
) -> int:
    """``train.batch_size`` as an integer: itself, or the cached finder result when ``auto``."""
    if train["batch_size"] != "auto":
        return int(train["batch_size"])
    max_size = train["max_batch_size"]
    budget_gb = train["memory_budget_gb"]
    if device.type == "cuda":
        where = f"cuda:{torch.cuda.get_device_name(device)}"
    else:
        where = f"cpu:{budget_gb}GB" if budget_gb else "cpu:available"
    key = f"{model_name}|{image_size}px|{where}|max{max_size}"

    def find() -> int:
        from proxy_attention.models import create_classifier

        # A throwaway model, and forked RNG streams: the run's initial weights and random
        # numbers must not depend on whether the cache already had an answer.
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            probe = create_classifier(model_name, num_classes, False, image_size).to(device)
            if device.type == "cuda":
                step = device_step(probe, image_size, num_classes, device)
            else:
                budget = budget_gb * 2**30 if budget_gb else psutil.virtual_memory().available / 2
                step = budget_step(probe, image_size, int(budget))
            size = find_batch_size(step, None, max_size)
            del probe, step
            if device.type == "cuda":
                torch.cuda.empty_cache()
        return size

    return min(cached_batch_size(cache_path, key, find), dataset_size)
