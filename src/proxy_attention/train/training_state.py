"""What one training run holds while it trains: its data, model, optimizer and random streams,
built in a fixed order from its seed, and put back from a saved state (train/resume.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from proxy_attention.augment import (
    batch_augment,
    batch_transform,
    loads_per_sample,
    sample_transform,
)
from proxy_attention.data.batches import DeviceBatches, LoaderBatches
from proxy_attention.data.prepared import PreparedDataset
from proxy_attention.data.split import Split, resplit_train_val
from proxy_attention.data.views import ImageStore, TrainingImages
from proxy_attention.grid import RunSpec
from proxy_attention.models import create_classifier
from proxy_attention.proxy.overlay import rebuild_overlay
from proxy_attention.saliency import saliency_maps
from proxy_attention.schedule import total_epochs
from proxy_attention.slices import TrainSlice
from proxy_attention.train import resume
from proxy_attention.train.optim import build_optimizer, build_scheduler


@dataclass
class TrainingState:
    """The objects the epoch loop reads and changes; ``progress`` is what resume.pt saves
    beside the streams (epoch, history, proxy records, splits used, seconds so far)."""

    spec: RunSpec
    train: dict[str, Any]  # params.yaml `train`
    work: Path
    device: torch.device
    device_info: dict[str, Any]
    data: PreparedDataset
    split: Split
    store: ImageStore
    train_batches: DeviceBatches | LoaderBatches
    mixer: Any
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler
    loader_rng: torch.Generator
    proxy_rng: np.random.Generator
    progress: resume.Progress
    # Which images some training set of this run has held (the re-split leak, per epoch).
    trained_on: np.ndarray
    clock: float  # perf_counter() when the time not yet in progress.seconds_before began

    @property
    def epochs(self) -> int:
        return total_epochs(self.spec.schedule)

    def streams(self) -> dict[str, Any]:
        """Everything resume.save_state writes and resume.restore_state puts back."""
        return dict(
            model=self.model,
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            scaler=self.scaler,
            loader_generator=self.loader_rng,
            proxy_rng=self.proxy_rng,
        )

    def resplit(self, round_index: int) -> None:
        """The original protocol's fresh train/validation split of round ``round_index``."""
        seed = self.spec.seed * 1000 + round_index
        self.split = resplit_train_val(self.split, self.data.labels, seed=seed)
        self.train_batches.indices = self.split.train


def build_training_state(
    spec: RunSpec,
    run_params: TrainSlice,
    data: PreparedDataset,
    split: Split,
    work: Path,
    device: torch.device,
    device_info: dict[str, Any],
    progress: resume.Progress,
) -> TrainingState:
    """Model, loader, mixer, optimizer and streams of a run that starts at epoch 0."""
    train = run_params.train
    # Seed right before building the model: every variant with this seed starts from the
    # same weights, sees the same batch order and draws the same augmentation stream.
    torch.manual_seed(spec.seed)
    np.random.seed(spec.seed)
    model = create_classifier(
        spec.model, data.num_classes, train["pretrained"], data.image_size
    ).to(device)
    store = ImageStore(data.images, data.labels)
    device_info["resident_data"] = _keep_resident(store, device, train["resident_share"])
    loader_rng = torch.Generator().manual_seed(spec.seed)
    train_batches = _train_batches(
        spec.augmentation,
        store,
        split.train,
        train,
        progress.batch_size,
        loader_rng,
        device,
        device_info["loader_workers"],
    )
    mixer = _mixer(
        spec, data.num_classes, model, train["mixing"], run_params.proxy, train["masking"]
    )
    optimizer = build_optimizer(model, train["optimizer"])
    steps = total_epochs(spec.schedule) * len(train_batches)
    scheduler = build_scheduler(optimizer, train["lr_schedule"], steps)
    return TrainingState(
        spec=spec,
        train=train,
        work=work,
        device=device,
        device_info=device_info,
        data=data,
        split=split,
        store=store,
        train_batches=train_batches,
        mixer=mixer,
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        scaler=torch.amp.GradScaler(device.type, enabled=device.type == "cuda"),
        loader_rng=loader_rng,
        proxy_rng=np.random.default_rng(spec.seed),
        progress=progress,
        trained_on=np.zeros(len(data.labels), dtype=bool),
        clock=time.perf_counter(),
    )


def resume_training(state: TrainingState, saved: dict[str, Any] | None) -> None:
    """Continue from ``saved`` (resume.read_state) where there is one: its progress, streams,
    proxy overlay and re-drawn splits. Either way, no unsaved proxy step of a killed attempt
    is kept."""
    if saved is None:
        resume.discard_unfinished_steps(state.work, 0)
        return
    state.progress = saved["progress"]
    resume.restore_state(saved, **state.streams())
    rounds = len(state.progress.proxy_records)
    resume.discard_unfinished_steps(state.work, rounds)
    if state.spec.proxy is not None:
        state.store.overlay = rebuild_overlay(
            state.work, len(state.data.labels), rounds, state.spec.proxy.clear_every_step
        )
    state.trained_on[state.split.train] = True
    for round_index in range(1, state.progress.splits_used):
        state.resplit(round_index)
        # The current split may not be trained on yet: harmless, its val is not in its train.
        state.trained_on[state.split.train] = True


def _keep_resident(store: ImageStore, device: torch.device, share: float) -> bool:
    """Keep the originals on a GPU where they take at most ``share`` of its free memory. On
    the CPU the memory-mapped store already is resident: the page cache holds it once for every
    job on the machine, where a copy per job would not."""
    if device.type != "cuda" or share <= 0:
        return False
    free_bytes, _ = torch.cuda.mem_get_info(device)
    return store.keep_resident(device, free_bytes, share)


def _train_batches(
    augmentation: str,
    store: ImageStore,
    indices: np.ndarray,
    train: dict[str, Any],
    batch_size: int,
    generator: torch.Generator,
    device: torch.device,
    workers: int,
) -> DeviceBatches | LoaderBatches:
    """The epoch's batches: gathered and augmented on the device, or loaded per sample where
    the augmentation has a per-sample policy (augment/registry.py says why)."""
    hflip, rotation = train["hflip"], train["rotation"]
    on_device = batch_transform(augmentation, hflip, rotation, train["masking"]).to(device)
    if not loads_per_sample(augmentation):
        return DeviceBatches(store, indices, batch_size, generator, device, on_device)
    per_sample = sample_transform(augmentation, store.images.shape[1], hflip, rotation)
    train_set = TrainingImages(store, indices, per_sample)
    return LoaderBatches(train_set, batch_size, generator, device, on_device, workers)


def _mixer(
    spec: RunSpec,
    num_classes: int,
    model: torch.nn.Module,
    mixing: dict[str, Any],
    proxy: dict[str, Any],
    masking: dict[str, Any],
):
    """The batch mix of the run's augmentation (params.yaml `train.mixing` and
    `train.masking`); None for none."""
    return batch_augment(
        spec.augmentation,
        num_classes,
        saliency_fn=_saliency_fn(model, mixing["saliency_method"], proxy),
        alpha=mixing["alpha"],
        grid=mixing["attentive_grid"],
        top_k=mixing["attentive_top_k"],
        masking=masking,
    )


def _saliency_fn(model: torch.nn.Module, method: str, proxy: dict[str, Any]):
    """Model saliency for the saliency-guided mixes, explaining the predicted class, or
    ``classes`` where given (SnapMix's true labels), on the CAM layer of params.yaml
    `proxy.target_layer`."""
    target_layer = proxy["target_layer"]

    def saliency(images: torch.Tensor, classes: torch.Tensor | None = None) -> torch.Tensor:
        model.eval()
        try:
            if classes is None:
                with torch.no_grad():
                    classes = model(images).argmax(dim=1)
            return saliency_maps(model, images, classes, method, target_layer)
        finally:
            model.train()

    return saliency
