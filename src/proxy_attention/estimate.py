"""`proxy-attention estimate`: what a params file will cost before it runs.

Counts (runs, epochs, image-epochs, prepared bytes) follow from the grid and the published
dataset sizes; device-hours come from a short measured calibration of each (model, image size)
on this machine: a few training and evaluation steps and the data path (the batched one on the
device, a per-sample policy on one CPU core), cached in data/cache/calibration.json.
"""

from __future__ import annotations

import functools
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxy_attention import layout
from proxy_attention.atomic import read_json, write_json
from proxy_attention.grid import expand_grid
from proxy_attention.reference_gpus import REFERENCE_GPUS, reference_timing
from proxy_attention.schedule import proxy_epochs, total_epochs

CALIBRATION_CACHE = Path(layout.CALIBRATION_CACHE)
# The share of training images a proxy step finds misclassified is unknown before training;
# half is a pessimistic middle (the thesis grid's models reach 60-95% training accuracy).
ASSUMED_MISCLASSIFIED = 0.5
# Loader workers of a per-sample policy beside a GPU: the SLURM profile's 8 threads a job, less
# the main process (README, "On a GPU").
GPU_LOADER_WORKERS = 7


@dataclass(frozen=True)
class DatasetSize:
    """Published figures of a source: images, classes, official test images, archive bytes."""

    images: int
    classes: int
    official_test: int = 0
    archive_bytes: int = 0


# Counts as their publishers give them; archive sizes rounded (the thesis' variants).
DATASET_SIZES = {
    "digits": DatasetSize(1_797, 10),
    "cifar100": DatasetSize(60_000, 100, 10_000, 169_001_437),
    "stanford_dogs": DatasetSize(20_580, 120, 8_580, 794_000_000),
    "imagenette": DatasetSize(13_394, 10, 3_925, 341_000_000),  # the 320px variant
    "asl_alphabet": DatasetSize(87_000, 29, 0, 1_100_000_000),
    "food101": DatasetSize(101_000, 101, 25_250, 4_996_000_000),
    "plant_village": DatasetSize(54_305, 38, 0, 2_200_000_000),
}


def dataset_size(cfg: dict[str, Any]) -> DatasetSize | None:
    """The source's published size, or a count of a local folder source; None when unknown."""
    if cfg["source"] in DATASET_SIZES:
        return DATASET_SIZES[cfg["source"]]
    from proxy_attention.data.sources.folders import image_files, is_image_name

    path = Path(cfg.get("path") or "")
    if not cfg.get("path") or not path.exists():
        return None  # fetched from a url: known once downloaded
    if path.is_dir():
        return DatasetSize(len(image_files(path)), 0)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return DatasetSize(sum(is_image_name(n.rsplit("/", 1)[-1]) for n in zf.namelist()), 0)
    return None


def split_counts(size: DatasetSize, cfg: dict[str, Any], split: dict[str, Any]) -> dict[str, int]:
    """Images per split after the dataset's selection, as make_split will cut them."""
    scale = cfg.get("fraction") or 1.0
    if cfg.get("max_per_class") and size.classes:
        scale = min(scale, cfg["max_per_class"] * size.classes / size.images)
    total = round(size.images * scale)
    if size.official_test:
        test = round(size.official_test * scale)
        val = round((total - test) * split["val_fraction"])
    else:
        test = round(total * split["test_fraction"])
        val = round(total * split["val_fraction"])
    folds = split.get("folds", 1)
    if folds > 1:  # a fold validates on 1/k of the pool and trains on the rest
        val = round((total - test) / folds)
    return {"total": total, "train": total - test - val, "val": val, "test": test}


def calibrate(model: str, image_size: int, device_name: str, steps: int = 1) -> dict[str, Any]:
    """Seconds per image of a training step (forward, backward, AdamW; AMP on CUDA) and of an
    evaluation forward pass, timed over ``steps`` batches after one warm-up batch."""
    import torch

    from proxy_attention.models import create_classifier

    device = torch.device(device_name)
    cuda = device.type == "cuda"
    batch = 32 if cuda else 2  # seconds per pair on 2 CPU cores; a GPU needs fuller batches
    net = create_classifier(model, 10, False, image_size).to(device)
    optimizer = torch.optim.AdamW(net.parameters(), lr=1e-4)
    scaler = torch.amp.GradScaler(device.type, enabled=cuda)
    images = torch.rand(batch, 3, image_size, image_size, device=device).contiguous(
        memory_format=torch.channels_last
    )
    labels = torch.randint(0, 10, (batch,), device=device)

    def train_step() -> None:
        with torch.autocast(device.type, dtype=torch.float16, enabled=cuda):
            loss = torch.nn.functional.cross_entropy(net(images), labels)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    def eval_step() -> None:
        with torch.no_grad(), torch.autocast(device.type, dtype=torch.float16, enabled=cuda):
            net(images)

    return {
        "train_seconds_per_image": _timed(train_step, steps, cuda) / batch,
        "eval_seconds_per_image": _timed(eval_step, steps, cuda) / batch,
        **data_path_seconds(image_size, device),
        "gpu": cuda,
        "batch": batch,
        "steps": steps,
    }


def data_path_seconds(image_size: int, device, count: int = 8) -> dict[str, float]:
    """Seconds per image of the data path at ``image_size``: ``basic`` batched on ``device``,
    and a per-sample policy (RandAugment, standing for them all; AugMix costs about twice as
    much, benchmarks/data_path.py) on one CPU core."""
    import torch

    from proxy_attention.augment import batch_transform, sample_transform

    images = torch.randint(0, 256, (count, 3, image_size, image_size), dtype=torch.uint8)
    batched, per_sample = (
        batch_transform("basic").to(device),
        sample_transform("randaugment", image_size),
    )
    on_device = images.to(device)
    batch_seconds = _timed(lambda: batched(on_device.float().div(255)), 1, device.type == "cuda")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        sample_seconds = _timed(lambda: [per_sample(image) for image in images], 1, False)
    finally:
        torch.set_num_threads(threads)
    return {
        "batched_data_seconds_per_image": batch_seconds / count,
        "per_sample_data_seconds_per_image": sample_seconds / count,
    }


def train_seconds_per_image(augmentation: str, timing: dict[str, Any]) -> float:
    """A training step's seconds per image with its data path. The batched path runs on the
    device before each step, so the two add; so do a per-sample loader and the step sharing a
    CPU; beside a GPU, loader workers run while it computes, and the slower sets the pace."""
    from proxy_attention.augment import loads_per_sample

    step = timing["train_seconds_per_image"]
    if not loads_per_sample(augmentation):
        return step + timing.get("batched_data_seconds_per_image", 0.0)
    loader = timing.get("per_sample_data_seconds_per_image", 0.0)
    return max(step, loader / GPU_LOADER_WORKERS) if timing.get("gpu") else step + loader


def _timed(step, steps: int, cuda: bool) -> float:
    """Mean seconds of one call after a warm-up call."""
    import torch

    step()
    if cuda:
        torch.cuda.synchronize()
    tick = time.perf_counter()
    for _ in range(steps):
        step()
    if cuda:
        torch.cuda.synchronize()
    return (time.perf_counter() - tick) / steps


def calibration(pairs, device_name: str, cache: Path = CALIBRATION_CACHE, measure=calibrate):
    """Calibration per (model, image size) on this device, measured once and then cached."""
    import torch

    cached = read_json(cache) if cache.exists() else {}
    result = {}
    for model, size in pairs:
        key = f"{model}@{size}@{device_name}@torch-{torch.__version__}@with-data-path"
        if key not in cached:
            cached[key] = measure(model, size, device_name)
            write_json(cache, cached)
        result[model, size] = cached[key]
    return result


def run_seconds(spec, counts: dict[str, int], timing: dict[str, float], params) -> float:
    """Device seconds of one run: its epochs (train + validation), proxy steps (a pass over
    the training images, saliency on the chosen subset of the misclassified), test and explain."""
    train_s = train_seconds_per_image(spec.augmentation, timing)
    eval_s = timing["eval_seconds_per_image"]
    epochs = total_epochs(spec.schedule)
    seconds = epochs * (counts["train"] * train_s + counts["val"] * eval_s)
    if spec.proxy is not None:
        chosen = counts["train"] * ASSUMED_MISCLASSIFIED * spec.proxy.subset
        steps = len(proxy_epochs(spec.schedule))
        seconds += steps * (counts["train"] * eval_s + chosen * train_s)
    explain = params["explain"]  # validated: the schema filled its defaults
    explained = min(explain["max_images"], counts["test"])
    forward_passes = 2 * (explain["steps"] + 1)  # deletion and insertion curves
    return seconds + counts["test"] * eval_s + explained * (train_s + forward_passes * eval_s)


def run_hours(runs, params, counts: dict[str, dict[str, int]], timing_of) -> dict[str, Any]:
    """Hours of each run by run id; None where its dataset's size or its model's timing
    (``timing_of(model, image_size)``, None when unknown) is missing."""
    hours: dict[str, float | None] = {}
    for spec in runs:
        known = counts.get(spec.dataset)
        timing = timing_of(spec.model, params["datasets"][spec.dataset]["image_size"])
        usable = known is not None and timing is not None
        hours[spec.run_id] = run_seconds(spec, known, timing, params) / 3600 if usable else None
    return hours


def cost_columns(result: dict[str, Any], suffix: str, device_upper: bool = False) -> dict[str, str]:
    """The hour columns of an estimate, key -> heading: the measured device (CPU in capitals
    where ``device_upper``, as prose writes it), then each reference GPU."""
    device = result["device"].upper() if device_upper else result["device"]
    columns = {"device": f"{device}-hours"}
    columns.update({key: REFERENCE_GPUS[key].name + suffix for key in result["gpus"]})
    return columns


def estimate(params: dict[str, Any], cache: Path = CALIBRATION_CACHE, measure=calibrate):
    """Everything `proxy-attention estimate` prints, as a dict: per dataset and totals, and the
    hours of every run on the measured device and on each reference GPU (``run_hours``)."""
    import torch

    use_cuda = params["train"]["device"] != "cpu" and torch.cuda.is_available()
    device = "cuda" if use_cuda else "cpu"
    runs = expand_grid(params)
    sizes = {name: dataset_size(params["datasets"][name]) for name in params["grid"]["datasets"]}
    counts = {
        name: split_counts(size, params["datasets"][name], params["split"])
        for name, size in sizes.items()
        if size is not None
    }
    pairs = sorted({(spec.model, params["datasets"][spec.dataset]["image_size"]) for spec in runs})
    timing = calibration(pairs, device, cache, measure)
    hours = {"device": run_hours(runs, params, counts, lambda model, size: timing[model, size])}
    for key, gpu in REFERENCE_GPUS.items():
        on_gpu = functools.partial(_on_reference_gpu, gpu, timing)
        hours[key] = run_hours(runs, params, counts, on_gpu)
    rows = {
        name: _dataset_row(name, runs, params, sizes[name], counts.get(name), hours)
        for name in params["grid"]["datasets"]
    }
    return {
        "device": device,
        "gpus": list(REFERENCE_GPUS),
        "rows": rows,
        "totals": _totals(rows, hours),
        "calibrated": len(pairs),
        "run_hours": hours,
    }


def _on_reference_gpu(gpu, measured, model: str, size: int) -> dict[str, Any] | None:
    """A reference GPU's published step timing with this machine's per-sample loader cost (its
    workers are CPUs); the batched path's share of a GPU step is left out (gpu_check measures
    it)."""
    published = reference_timing(gpu, model, size)
    if published is None:
        return None
    loader = measured[model, size].get("per_sample_data_seconds_per_image", 0.0)
    return {**published, "per_sample_data_seconds_per_image": loader, "gpu": True}


def _dataset_row(name: str, runs, params, published, known, hours) -> dict[str, Any]:
    """One dataset's line: its runs, epochs, image-epochs, bytes and hours per column."""
    runs = [spec for spec in runs if spec.dataset == name]
    size = params["datasets"][name]["image_size"]
    epochs = sum(total_epochs(spec.schedule) for spec in runs)
    return {
        "runs": len(runs),
        "epochs": epochs,
        "images": known,
        "image_epochs": epochs * known["train"] if known else None,
        "prepared_bytes": known["total"] * size * size * 3 if known else None,
        "archive_bytes": published.archive_bytes if published else None,
        **{
            column: _sum_or_none(by_id[spec.run_id] for spec in runs)
            for column, by_id in hours.items()
        },
    }


def _sum_or_none(values) -> float | None:
    """The sum, or None when one value is unknown (printed "?")."""
    values = list(values)
    return None if any(value is None for value in values) else sum(values)


def _totals(rows: dict[str, dict[str, Any]], hours: dict[str, Any]) -> dict[str, Any]:
    """Sums over the datasets; None (printed "?") where one dataset's figure is unknown."""
    keys = ("runs", "epochs", "image_epochs", "prepared_bytes", "archive_bytes", *hours)
    return {key: _sum_or_none(row[key] for row in rows.values()) for key in keys}


def _gb(value: int | None) -> str:
    return "?" if value is None else f"{value / 1e9:.1f} GB"


def format_hours(value: float | None) -> str:
    """Whole hours from 10 up, else three significant digits (a small grid's 0.00123)."""
    return "?" if value is None else f"{value:,.0f}" if value >= 10 else f"{value:.3g}"


def source_lines(result: dict[str, Any]) -> list[str]:
    """Where each hour column comes from: the calibration, or the published table."""
    lines = [
        f"{result['device']}-hours extrapolate a {result['calibrated']}-pair calibration on this "
        f"machine's {result['device']} (data/cache/calibration.json); proxy steps assume "
        f"{ASSUMED_MISCLASSIFIED:.0%} of training images misclassified"
    ]
    for key in result["gpus"]:
        gpu = REFERENCE_GPUS[key]
        lines.append(
            f"{gpu.name}-hours: an estimate from published throughput, not a measurement;\n"
            f"  source: {gpu.source}; at other sizes images/s x (224/size)^2"
        )
    return lines


def format_estimate(result: dict[str, Any]) -> str:
    """A plain-text table: one line per dataset, then the totals, then where the hours come
    from."""
    columns = cost_columns(result, "-hours")
    head = f"{'dataset':<15}{'runs':>8}{'epochs':>10}{'image-epochs':>16}"
    head += f"{'download':>11}{'prepared':>11}"
    head += "".join(f"{heading:>{len(heading) + 2}}" for heading in columns.values())
    lines = [head]
    for name, row in [*result["rows"].items(), ("total", result["totals"])]:
        image_epochs = "?" if row["image_epochs"] is None else f"{row['image_epochs']:,}"
        hours = [f"{format_hours(row[key]):>{len(head) + 2}}" for key, head in columns.items()]
        lines.append(
            f"{name:<15}{row['runs']:>8,}{row['epochs']:>10,}{image_epochs:>16}"
            f"{_gb(row['archive_bytes']):>11}{_gb(row['prepared_bytes']):>11}" + "".join(hours)
        )
    return "\n".join([*lines, *source_lines(result)])


def estimate_tex(result: dict[str, Any], params_file: str | Path) -> str:
    """The estimate as a LaTeX table (label tab:estimate) for the implementation chapter."""
    import pandas as pd

    from proxy_attention.report.latex import booktabs_table, escape

    rows = [*result["rows"].items(), ("total", result["totals"])]
    frame = pd.DataFrame(
        {
            "Data set": [escape(name.replace("_", " ")) for name, _ in rows],
            "Runs": [f"{row['runs']:,}" for _, row in rows],
            "Epochs": [f"{row['epochs']:,}" for _, row in rows],
            "Image-epochs": [
                "?" if row["image_epochs"] is None else f"{row['image_epochs']:,}"
                for _, row in rows
            ],
            "Prepared": [_gb(row["prepared_bytes"]) for _, row in rows],
            **{
                heading: [format_hours(row[key]) for _, row in rows]
                for key, heading in cost_columns(result, " GPU-hours", device_upper=True).items()
            },
        }
    )
    caption = (
        f"What the grid of {escape(params_file)} costs before it runs "
        "(\\texttt{proxy-attention estimate}). "
        f"{escape(result['device'].upper())}-hours extrapolate a calibration of each "
        "(model, image size) pair (one warm-up and one timed training and evaluation step) "
        f"on the {escape(result['device'])} of the machine that built this document. "
        + "".join(_gpu_caption(REFERENCE_GPUS[key]) for key in result["gpus"])
        + "All assume that half of the training images are misclassified at each proxy step; "
        "they are an order of magnitude, not a measurement."
    )
    return booktabs_table(
        frame, caption, "tab:estimate", str(params_file), "l" + "r" * (len(frame.columns) - 1)
    )


def _gpu_caption(gpu) -> str:
    from proxy_attention.report.latex import escape

    return (
        f"{escape(gpu.name)} GPU-hours are an estimate from published throughput, not a "
        f"measurement: {escape(gpu.source)}; at other image sizes $s$ the 224\\,px rate is "
        "scaled by $(224/s)^2$. "
    )
