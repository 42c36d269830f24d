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
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from proxy_attention.atomic import atomic_path, read_json, write_json
from proxy_attention.augment import batch_augment, train_transform
from proxy_attention.bundles import stamp, train_settings
from proxy_attention.data.fingerprint import data_fingerprint
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.split import Split, load_split, resplit_train_val
from proxy_attention.data.views import ImageStore, TrainingImages
from proxy_attention.devices import describe, device_report, loader_workers
from proxy_attention.grid import RunSpec
from proxy_attention.models import create_classifier
from proxy_attention.proxy.overlay import rebuild_overlay
from proxy_attention.proxy.step import StepOptions, run_proxy_step
from proxy_attention.saliency import saliency_maps
from proxy_attention.schedule import iter_epochs, total_epochs
from proxy_attention.train import resume
from proxy_attention.train.batch_size import DEFAULT_CACHE, resolve_batch_size
from proxy_attention.train.hparams import log_hparams
from proxy_attention.train.loop import predict, select_device, train_epoch
from proxy_attention.train.metrics import classification_metrics
from proxy_attention.train.optim import build_optimizer, build_scheduler

CHECKPOINT = "checkpoint.pt"
METRICS = "metrics.json"


def train_run(
    spec: RunSpec,
    params: dict[str, Any],
    prepared_dir: str | Path,
    split_path: str | Path,
    out_dir: str | Path,
    threads: int | None = None,
) -> dict[str, Any]:
    """Train ``spec`` and write checkpoint, metrics, TensorBoard events and proxy artifacts."""
    started = time.perf_counter()
    out = Path(out_dir)
    work = resume.partial_dir(out)
    fingerprint = run_fingerprint(spec, params, prepared_dir, split_path)
    resume.claim(work, fingerprint)  # a work directory from other inputs is discarded
    if (work / METRICS).exists():  # killed between the last write and the final rename
        resume.finish(work, out)
        return read_json(out / METRICS)
    settings = params["train"]
    if threads:
        torch.set_num_threads(threads)
    # cuBLAS is deterministic only with a fixed workspace; it must be set before CUDA starts.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    device = select_device(settings["device"])
    torch.backends.cudnn.benchmark = device.type == "cuda"
    # Workers draw their own augmentation streams: their count (within the job's threads) is
    # part of what a run's numbers depend on, so it is recorded with the device.
    device_info = device_report(device)
    device_info["loader_workers"] = loader_workers(settings["num_workers"], threads)
    print(f"{spec.run_id}: {describe(device_info)}", file=sys.stderr, flush=True)
    data = open_prepared(prepared_dir)
    split = load_split(split_path)
    state = resume.read_state(work, fingerprint)
    if state is not None:
        batch_size = state["progress"]["batch_size"]
    else:
        batch_size = resolve_batch_size(
            settings,
            spec.model,
            data.image_size,
            data.num_classes,
            len(split.train),
            device,
            DEFAULT_CACHE,
        )
    work.mkdir(parents=True, exist_ok=True)

    # Seed right before building the model: every variant with this seed starts from the
    # same weights, sees the same batch order and draws the same augmentation stream.
    torch.manual_seed(spec.seed)
    np.random.seed(spec.seed)
    model = create_classifier(
        spec.model, data.num_classes, settings["pretrained"], data.image_size
    ).to(device)
    store = ImageStore(data.images, data.labels)
    train_set = TrainingImages(
        store,
        split.train,
        train_transform(
            spec.augmentation, data.image_size, settings["hflip"], settings["rotation"]
        ),
    )
    loader_rng = torch.Generator().manual_seed(spec.seed)
    loader = DataLoader(
        train_set,
        batch_size=batch_size,
        shuffle=True,
        generator=loader_rng,
        num_workers=device_info["loader_workers"],
        pin_memory=device.type == "cuda",
        # Fresh workers per epoch are seeded from loader_rng, which the resume state holds;
        # persistent workers would carry random state no checkpoint can capture.
        persistent_workers=False,
    )
    mixing = settings["mixing"]
    mixer = batch_augment(
        spec.augmentation,
        data.num_classes,
        saliency_fn=_saliency_fn(model, mixing["saliency_method"], params["proxy"]["target_layer"]),
        alpha=mixing["alpha"],
        grid=mixing["attentive_grid"],
        top_k=mixing["attentive_top_k"],
    )
    epochs = total_epochs(spec.schedule)
    optimizer = build_optimizer(model, settings["optimizer"])
    scheduler = build_scheduler(optimizer, settings["lr_schedule"], epochs * len(loader))
    scaler = torch.amp.GradScaler(device.type, enabled=device.type == "cuda")
    options = StepOptions(**params["proxy"])
    proxy_rng = np.random.default_rng(spec.seed)
    streams = dict(
        model=model,
        optimizer=optimizer,
        scheduler=scheduler,
        scaler=scaler,
        loader_generator=loader_rng,
        proxy_rng=proxy_rng,
    )

    progress: dict[str, Any] = {
        "fingerprint": fingerprint,
        "batch_size": batch_size,
        "epoch": 0,
        "history": [],
        "proxy_records": [],
        "splits_used": 1,
        "seconds_before": 0.0,
    }
    # Which images some training set of this run has held (the re-split leak, per epoch).
    trained_on = np.zeros(len(data.labels), dtype=bool)
    if state is not None:
        progress = state["progress"]
        resume.restore_state(state, **streams)
        rounds = len(progress["proxy_records"])
        resume.discard_unfinished_steps(work, rounds)
        if spec.proxy is not None:
            store.overlay = rebuild_overlay(
                work, len(data.labels), rounds, spec.proxy.clear_every_step
            )
        trained_on[split.train] = True
        for round_index in range(1, progress["splits_used"]):
            split = _resplit(split, data.labels, spec.seed, round_index)
            # The current split may not be trained on yet: harmless, its val is not in its train.
            trained_on[split.train] = True
        train_set.indices = split.train
    else:
        resume.discard_unfinished_steps(work, 0)
    history, proxy_records = progress["history"], progress["proxy_records"]

    # purge_step hides events a killed attempt logged after its last saved epoch.
    writer = SummaryWriter(str(work / "tensorboard"), purge_step=progress["epoch"] + 1)
    progress_bar = tqdm(total=epochs, initial=progress["epoch"], desc=spec.run_id, unit="epoch")
    for epoch, proxy_follows in iter_epochs(spec.schedule):
        if epoch <= progress["epoch"]:
            continue
        tick = time.perf_counter()
        result = train_epoch(model, loader, optimizer, scheduler, scaler, device, mixer)
        train_seconds = time.perf_counter() - tick
        trained_on[split.train] = True
        val_loss, val_pred, val_labels, _ = predict(
            model, store.batches(split.val, settings["eval_batch_size"], device), device
        )
        row = {
            "epoch": epoch,
            "train_loss": result.loss,
            "train_accuracy": result.accuracy,
            "val_loss": val_loss,
            "val_accuracy": float((val_pred == val_labels).mean()),
            # The original's leak: validation images a re-split took from earlier training sets.
            "val_seen_in_training": float(trained_on[split.val].mean()),
            "lr": scheduler.get_last_lr()[0],
            "train_seconds": train_seconds,
            "proxy_seconds": 0.0,
            "replaced": len(store.overlay),
        }
        if proxy_follows and spec.proxy is not None:
            tick = time.perf_counter()
            record = run_proxy_step(
                model,
                store,
                split.train,
                spec.proxy,
                options,
                work / "proxy" / f"step-{len(proxy_records) + 1:02d}",
                proxy_rng,
                device,
            )
            row["proxy_seconds"] = time.perf_counter() - tick
            row["replaced"] = len(store.overlay)
            proxy_records.append({"epoch": epoch, **record})
            _log_proxy_step(writer, work / "proxy", len(proxy_records), record, epoch)
        if proxy_follows and spec.resplit_each_round:
            split = _resplit(split, data.labels, spec.seed, progress["splits_used"])
            train_set.indices = split.train
            progress["splits_used"] += 1
        history.append(row)
        _log_epoch(writer, row)
        writer.flush()
        progress_bar.update()
        progress_bar.set_postfix(val_acc=f"{row['val_accuracy']:.3f}")
        progress["epoch"] = epoch
        progress["seconds_before"] += time.perf_counter() - started
        started = time.perf_counter()
        resume.save_state(work, progress=progress, **streams)
    progress_bar.close()

    test_loss, test_pred, test_labels, _ = predict(
        model, store.batches(split.test, settings["eval_batch_size"], device), device
    )
    metrics = {
        "run_id": spec.run_id,
        "spec": spec.as_dict(),
        "control_id": spec.control_id,
        "dataset": {"name": spec.dataset, "classes": data.classes, **split.sizes()},
        "train_settings": {**settings, "batch_size": batch_size},
        "batch_size_source": "auto" if settings["batch_size"] == "auto" else "params",
        "device": device.type,
        "device_info": device_info,
        "epochs": history,
        "proxy_steps": proxy_records,
        "test": {"loss": test_loss, **classification_metrics(test_labels, test_pred, data.classes)},
        "reported": _reported(history),
        "protocol": {
            "resplit_each_round": spec.resplit_each_round,
            "splits_used": progress["splits_used"],
        },
        "timing": {
            "wall_seconds": progress["seconds_before"] + time.perf_counter() - started,
            "train_seconds": sum(r["train_seconds"] for r in history),
            "proxy_seconds": sum(r["proxy_seconds"] for r in history),
        },
    }
    writer.add_scalar("test/accuracy", metrics["test"]["accuracy"], epochs)
    log_hparams(writer, spec, metrics, epochs)  # TensorBoard's HParams tab compares the runs
    writer.close()
    with atomic_path(work / CHECKPOINT) as tmp:
        torch.save(
            {
                "model": model.state_dict(),
                "arch": spec.model,
                "num_classes": data.num_classes,
                "image_size": data.image_size,
                "classes": data.classes,
                "run_id": spec.run_id,
            },
            tmp,
        )
    # Stamped inside the work directory, so only the run that made the result can stamp it.
    stamp(work / METRICS, train_settings(params), spec.run_id)
    write_json(work / METRICS, metrics)  # written last: marks the work directory complete
    resume.finish(work, out)
    return metrics


def run_fingerprint(
    spec: RunSpec, params: dict[str, Any], prepared_dir: str | Path, split_path: str | Path
) -> str:
    """Every input of a run: its spec, the train and proxy settings, its dataset's entry, and
    the content hashes of the split file and the prepared data."""
    return resume.fingerprint(
        spec.as_dict(),
        params["train"],
        params["proxy"],
        params.get("datasets", {}).get(spec.dataset),
        data_fingerprint(prepared_dir, split_path),
    )


def _saliency_fn(model: torch.nn.Module, method: str, target_layer: str | None):
    """Model saliency for the saliency-guided mixes, explaining the predicted class."""

    def saliency(images: torch.Tensor) -> torch.Tensor:
        model.eval()
        try:
            with torch.no_grad():
                predicted = model(images).argmax(dim=1)
            return saliency_maps(model, images, predicted, method, target_layer)
        finally:
            model.train()

    return saliency


def _reported(history: list[dict[str, Any]]) -> dict[str, Any]:
    """What the original implementation reported: the last epoch's validation accuracy, on the
    split that round drew, with the share of those images earlier epochs trained on."""
    last = history[-1]
    return {
        "val_accuracy": last["val_accuracy"],
        "val_seen_in_training": last.get("val_seen_in_training", 0.0),
        "epoch": last["epoch"],
    }


def _resplit(split: Split, labels: np.ndarray, seed: int, round_index: int) -> Split:
    return resplit_train_val(split, labels, seed=seed * 1000 + round_index)


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
