"""One proxy step: select misclassified images, map them, make proxies, write, replace."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from proxy_attention.atomic import atomic_dir, write_json
from proxy_attention.data.conversions import to_float, to_uint8
from proxy_attention.data.views import ImageStore
from proxy_attention.grid import ProxySettings
from proxy_attention.proxy.artifacts import RECORD, StepWriter
from proxy_attention.proxy.images import changed_fraction, proxy_images
from proxy_attention.proxy.overlay import ProxyOverlay
from proxy_attention.proxy.selection import choose_subset, find_misclassified
from proxy_attention.saliency import saliency_maps


@dataclass(frozen=True)
class StepOptions:
    """The proxy-step knobs that are not part of a run's identity: params.yaml `proxy`, whose
    defaults the schema fills (``StepOptions(**params["proxy"])``)."""

    selection: str
    target: str
    target_layer: str | None
    batch_size: int
    contact_sheet_images: int


@dataclass(frozen=True)
class Chosen:
    """The images a step changes, the class each one's map explains, and what the selection
    found (counts, its time) for the step's record."""

    indices: np.ndarray
    targets: np.ndarray
    context: dict[str, Any] = field(default_factory=dict)


def run_proxy_step(
    model: nn.Module,
    store: ImageStore,
    train_indices: np.ndarray,
    settings: ProxySettings,
    options: StepOptions,
    step_dir: Path,
    rng: np.random.Generator,
    device: torch.device,
) -> dict[str, Any]:
    """Run the step, write its artifacts atomically into ``step_dir`` and apply it to ``store``."""
    overlay = proxy_overlay(store)
    if settings.clear_every_step:
        overlay.clear()
    started = time.perf_counter()
    candidates, losses, predicted = find_misclassified(
        model, store, train_indices, options.batch_size, device
    )
    chosen = choose_subset(len(candidates), settings.subset, options.selection, losses, rng)
    targets = (
        predicted[chosen] if options.target == "predicted" else store.labels[candidates[chosen]]
    )
    context = {
        "misclassified": int(len(candidates)),
        "train_size": int(len(train_indices)),
        "selection_seconds": time.perf_counter() - started,
    }
    picked = Chosen(candidates[chosen], targets, context)
    record = make_proxies(model, store, picked, settings, options, step_dir, device)
    overlay.apply_step(step_dir)
    return record


def proxy_overlay(store: ImageStore) -> ProxyOverlay:
    """The store's proxy overlay; a store still reading its originals is given an empty one."""
    if not isinstance(store.overlay, ProxyOverlay):
        store.overlay = ProxyOverlay(len(store.labels))
    return store.overlay


def make_proxies(
    model: nn.Module,
    store: ImageStore,
    chosen: Chosen,
    settings: ProxySettings,
    options: StepOptions,
    step_dir: Path,
    device: torch.device,
) -> dict[str, Any]:
    """Saliency, proxy images and artifact writing, streamed in batches (selection excluded)."""
    was_training = model.training
    model.eval()
    height, width = store.images.shape[1:3]
    timing = {"saliency_seconds": 0.0, "write_seconds": 0.0}
    fractions: list[float] = []
    indices, targets = chosen.indices, chosen.targets
    with atomic_dir(step_dir) as tmp:
        writer = StepWriter(tmp, len(indices), height, width, options.contact_sheet_images)
        try:
            for start in range(0, len(indices), options.batch_size):
                chunk = indices[start : start + options.batch_size]
                chunk_targets = torch.as_tensor(targets[start : start + options.batch_size])
                originals = store.read(chunk)
                tick = time.perf_counter()
                maps, proxies, changed = _proxy_batch(
                    model, originals, chunk_targets, settings, options, device
                )
                fractions += changed
                timing["saliency_seconds"] += time.perf_counter() - tick
                tick = time.perf_counter()
                writer.add(chunk, originals, proxies, maps, chunk_targets.numpy())
                timing["write_seconds"] += time.perf_counter() - tick
            tick = time.perf_counter()
            writer.close()
            timing["write_seconds"] += time.perf_counter() - tick
            record = {
                **chosen.context,
                "chosen": int(len(indices)),
                "fraction_pixels_changed": float(np.mean(fractions)) if fractions else 0.0,
                **timing,
                "settings": asdict(settings),
            }
            write_json(tmp / RECORD, record)
        finally:
            model.train(was_training)
    return record


def _proxy_batch(
    model: nn.Module,
    originals: np.ndarray,
    targets: torch.Tensor,
    settings: ProxySettings,
    options: StepOptions,
    device: torch.device,
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """One batch: its saliency maps, its proxy images (uint8) and the changed pixel fractions."""
    images = to_float(torch.from_numpy(originals).to(device))
    # Saliency noise (SmoothGrad) must not shift the training RNG stream, so that
    # a proxy run and its control stay comparable up to the data they see.
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        maps = saliency_maps(
            model, images, targets.to(device), settings.method, options.target_layer
        )
    proxies = to_uint8(
        proxy_images(images, maps, settings.threshold, settings.weight, settings.mode)
    )
    changed = changed_fraction(maps, settings.threshold, settings.weight).tolist()
    return maps.float().cpu().numpy(), proxies.cpu().numpy(), changed
