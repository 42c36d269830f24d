"""Run one grid entry: a schedule of epochs and proxy steps under one optimizer and LR schedule.

The run works in ``<out>.partial`` and saves its state after every epoch, so a killed run that
is started again resumes there (train/resume.py); ``<out>`` appears, complete, at the end.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from proxy_attention.atomic import read_json, write_json
from proxy_attention.augment import loads_per_sample
from proxy_attention.checkpoint import CHECKPOINT, save_classifier
from proxy_attention.data.content_hashes import data_hashes
from proxy_attention.data.prepared import PreparedDataset, open_prepared
from proxy_attention.data.split import fold_split, load_split
from proxy_attention.devices import describe, device_report, loader_workers
from proxy_attention.grid import RunSpec
from proxy_attention.layout import METRICS
from proxy_attention.proxy.step import StepOptions, run_proxy_step
from proxy_attention.schedule import iter_epochs
from proxy_attention.slices import TrainSlice, require_slice, settings_string
from proxy_attention.stamps import stamp
from proxy_attention.train import resume
from proxy_attention.train.batch_size import DEFAULT_CACHE, resolve_batch_size
from proxy_attention.train.hparams import log_hparams
from proxy_attention.train.loop import predict, select_device, train_epoch
from proxy_attention.train.metrics import classification_metrics
from proxy_attention.train.training_state import (
    TrainingState,
    build_training_state,
    resume_training,
)

__all__ = ["CHECKPOINT", "METRICS", "run_inputs", "train_run"]


def train_run(
    spec: RunSpec,
    run_params: TrainSlice,
    prepared_dir: str | Path,
    split_path: str | Path,
    out_dir: str | Path,
    threads: int | None = None,
    dataset: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train ``spec`` and write checkpoint, metrics, TensorBoard events and proxy artifacts.

    ``run_params`` is ``slices.train_slice(params)`` and nothing else, so a run reads only
    what its settings string declares. ``dataset`` is the dataset's params entry: with the
    data's content hashes it is part of what a saved state is valid for (run_inputs).
    """
    require_slice(run_params, TrainSlice, "train_run")
    started = time.perf_counter()
    out = Path(out_dir)
    work = resume.partial_dir(out)
    inputs = run_inputs(spec, run_params, dataset, prepared_dir, split_path)
    resume.claim(work, inputs)  # a work directory from other inputs is discarded
    if (work / METRICS).exists():  # killed between the last write and the final rename
        resume.finish(work, out)
        return read_json(out / METRICS)
    device, device_info = _configure_torch(spec, run_params.train, threads)
    data, split = open_prepared(prepared_dir), fold_split(load_split(split_path), spec.fold)
    saved = resume.read_state(work, inputs)
    batch_size = _batch_size(saved, spec, run_params.train, data, len(split.train), device)
    work.mkdir(parents=True, exist_ok=True)
    progress = resume.Progress(inputs, batch_size)
    state = build_training_state(spec, run_params, data, split, work, device, device_info, progress)
    state.clock = started  # the set-up (data, batch-size finder, model) counts as run time
    resume_training(state, saved)
    # purge_step hides events a killed attempt logged after its last saved epoch.
    writer = SummaryWriter(str(work / "tensorboard"), purge_step=state.progress.epoch + 1)
    _train_epochs(state, StepOptions(**run_params.proxy), writer)
    metrics = _run_metrics(state)
    _write_result(state, metrics, writer, settings_string(run_params))
    resume.finish(work, out)
    return metrics


def run_inputs(
    spec: RunSpec,
    run_params: TrainSlice,
    dataset: dict[str, Any] | None,
    prepared_dir: str | Path,
    split_path: str | Path,
) -> str:
    """Every input of a run: its spec, the train and proxy settings, its dataset's entry, and
    the content hashes of the split file and the prepared data."""
    return resume.inputs_record(
        spec.as_dict(),
        run_params.train,
        run_params.proxy,
        dataset,
        data_hashes(prepared_dir, split_path),
    )


def _configure_torch(
    spec: RunSpec, train: dict[str, Any], threads: int | None
) -> tuple[torch.device, dict[str, Any]]:
    """Threads, determinism and the device; what the run's numbers depend on is reported."""
    if threads:
        torch.set_num_threads(threads)
    # cuBLAS is deterministic only with a fixed workspace; it must be set before CUDA starts.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    device = select_device(train["device"])
    torch.backends.cudnn.benchmark = device.type == "cuda"
    # Workers draw their own augmentation streams: their count (within the job's threads) is
    # part of what a run's numbers depend on, so it is recorded with the device (and whether the
    # data stayed on it, training_state._keep_resident).
    device_info = device_report(device)
    per_sample = loads_per_sample(spec.augmentation)
    device_info["loader_workers"] = loader_workers(train["num_workers"], threads, per_sample)
    print(f"{spec.run_id}: {describe(device_info)}", file=sys.stderr, flush=True)
    return device, device_info


def _batch_size(
    saved: dict[str, Any] | None,
    spec: RunSpec,
    train: dict[str, Any],
    data: PreparedDataset,
    train_size: int,
    device: torch.device,
) -> int:
    """The saved run's batch size, or ``train.batch_size`` resolved (the finder for auto)."""
    if saved is not None:
        return saved["progress"].batch_size
    return resolve_batch_size(
        train, spec.model, data.image_size, data.num_classes, train_size, device, DEFAULT_CACHE
    )


def _train_epochs(state: TrainingState, options: StepOptions, writer: SummaryWriter) -> None:
    """The epochs not yet saved, each followed by its proxy step (and re-split) where the
    schedule has a p; the state is saved after every epoch."""
    progress = state.progress
    progress_bar = tqdm(
        total=state.epochs, initial=progress.epoch, desc=state.spec.run_id, unit="epoch"
    )
    for epoch, proxy_follows in iter_epochs(state.spec.schedule):
        if epoch <= progress.epoch:
            continue
        row = _train_one_epoch(state, epoch)
        if proxy_follows:
            _end_round(state, row, options, writer)
        progress.history.append(row)
        _log_epoch(writer, row)
        writer.flush()
        progress_bar.update()
        progress_bar.set_postfix(val_acc=f"{row['val_accuracy']:.3f}")
        progress.epoch = epoch
        progress.seconds_before += time.perf_counter() - state.clock
        state.clock = time.perf_counter()
        resume.save_state(state.work, progress=progress, **state.streams())
    progress_bar.close()


def _train_one_epoch(state: TrainingState, epoch: int) -> dict[str, Any]:
    """Train one epoch and validate: the epoch's row of metrics.json."""
    tick = time.perf_counter()
    # Mixes that follow the epoch (Sample Pairing's on/off cycles) take it like
    # DistributedSampler.set_epoch; the epoch, not a count of calls, survives a resume.
    set_epoch = getattr(state.mixer, "set_epoch", None)
    if set_epoch is not None:
        set_epoch(epoch)
    result = train_epoch(
        state.model,
        state.train_batches,
        state.optimizer,
        state.scheduler,
        state.scaler,
        state.device,
        state.mixer,
    )
    train_seconds = time.perf_counter() - tick
    split = state.split
    state.trained_on[split.train] = True
    val_loss, val_pred, val_labels, _ = _evaluate(state, split.val)
    return {
        "epoch": epoch,
        "train_loss": result.loss,
        "train_accuracy": result.accuracy,
        "val_loss": val_loss,
        "val_accuracy": float((val_pred == val_labels).mean()),
        # The original's leak: validation images a re-split took from earlier training sets.
        "val_seen_in_training": float(state.trained_on[split.val].mean()),
        "lr": state.scheduler.get_last_lr()[0],
        "train_seconds": train_seconds,
        "proxy_seconds": 0.0,
        "replaced": len(state.store.overlay),
    }


def _end_round(
    state: TrainingState, row: dict[str, Any], options: StepOptions, writer: SummaryWriter
) -> None:
    """After a p epoch: the proxy step (proxy runs), then a fresh split (re-split runs)."""
    spec, progress = state.spec, state.progress
    if spec.proxy is not None:
        records = progress.proxy_records
        tick = time.perf_counter()
        record = run_proxy_step(
            state.model,
            state.store,
            state.split.train,
            spec.proxy,
            options,
            state.work / "proxy" / f"step-{len(records) + 1:02d}",
            state.proxy_rng,
            state.device,
        )
        row["proxy_seconds"] = time.perf_counter() - tick
        row["replaced"] = len(state.store.overlay)
        records.append({"epoch": row["epoch"], **record})
        _log_proxy_step(writer, state.work / "proxy", len(records), record, row["epoch"])
    if spec.resplit_each_round:
        state.resplit(progress.splits_used)
        progress.splits_used += 1


def _evaluate(state: TrainingState, indices: np.ndarray):
    batches = state.store.batches(indices, state.train["eval_batch_size"], state.device)
    return predict(state.model, batches, state.device)


def _run_metrics(state: TrainingState) -> dict[str, Any]:
    """metrics.json: the run, its data and device, every epoch and proxy step, the test."""
    spec, data, split, progress = state.spec, state.data, state.split, state.progress
    train, history = state.train, progress.history
    test_loss, test_pred, test_labels, _ = _evaluate(state, split.test)
    return {
        "run_id": spec.run_id,
        "spec": spec.as_dict(),
        "control_id": spec.control_id,
        "dataset": {"name": spec.dataset, "classes": data.classes, **split.sizes()},
        "train_settings": {**train, "batch_size": progress.batch_size},
        "batch_size_source": "auto" if train["batch_size"] == "auto" else "params",
        "device": state.device.type,
        "device_info": state.device_info,
        "epochs": history,
        "proxy_steps": progress.proxy_records,
        "test": {"loss": test_loss, **classification_metrics(test_labels, test_pred, data.classes)},
        "reported": _reported(history),
        "protocol": {
            "resplit_each_round": spec.resplit_each_round,
            "splits_used": progress.splits_used,
        },
        "timing": {
            "wall_seconds": progress.seconds_before + time.perf_counter() - state.clock,
            "train_seconds": sum(r["train_seconds"] for r in history),
            "proxy_seconds": sum(r["proxy_seconds"] for r in history),
        },
    }


def _write_result(
    state: TrainingState, metrics: dict[str, Any], writer: SummaryWriter, settings: str
) -> None:
    """The test accuracy and HParams events, the checkpoint, the stamp, and metrics.json last:
    it marks the work directory complete."""
    spec, data = state.spec, state.data
    writer.add_scalar("test/accuracy", metrics["test"]["accuracy"], state.epochs)
    log_hparams(writer, spec, metrics, state.epochs)  # TensorBoard's HParams tab compares runs
    writer.close()
    save_classifier(
        state.work / CHECKPOINT,
        state.model,
        arch=spec.model,
        num_classes=data.num_classes,
        image_size=data.image_size,
        classes=data.classes,
        run_id=spec.run_id,
    )
    # Stamped inside the work directory, so only the run that made the result can stamp it.
    stamp(state.work / METRICS, settings, spec.run_id, "train")
    write_json(state.work / METRICS, metrics)


def _reported(history: list[dict[str, Any]]) -> dict[str, Any]:
    """What the original implementation reported: the last epoch's validation accuracy, on the
    split that round drew, with the share of those images earlier epochs trained on."""
    last = history[-1]
    return {
        "val_accuracy": last["val_accuracy"],
        "val_seen_in_training": last["val_seen_in_training"],
        "epoch": last["epoch"],
    }


def _log_epoch(writer: SummaryWriter, row: dict[str, Any]) -> None:
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "replaced"):
        writer.add_scalar(key.replace("_", "/", 1), row[key], row["epoch"])


def _log_proxy_step(writer: SummaryWriter, proxy_dir: Path, step: int, record, epoch: int) -> None:
    from proxy_attention.proxy.artifacts import load_step

    writer.add_scalar("proxy/misclassified", record["misclassified"], epoch)
    writer.add_scalar("proxy/chosen", record["chosen"], epoch)
    writer.add_scalar("proxy/fraction_pixels_changed", record["fraction_pixels_changed"], epoch)
    artifacts = load_step(proxy_dir / f"step-{step:02d}")
    count = min(4, len(artifacts["indices"]))
    if count:
        maps = np.repeat(np.asarray(artifacts["maps"][:count])[..., None], 3, axis=-1)
        triples = np.concatenate(
            [
                np.asarray(artifacts["originals"][:count]) / 255.0,
                maps,
                np.asarray(artifacts["images"][:count]) / 255.0,
            ],
            axis=2,
        )
        writer.add_images(f"proxy/step-{step:02d}", triples, epoch, dataformats="NHWC")
