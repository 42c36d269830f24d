"""`proxy-attention estimate`: what a params file will cost before it runs.

Counts (runs, epochs, image-epochs, prepared bytes) follow from the grid and the published
dataset sizes; device-hours come from a short measured calibration of each (model, image size)
on this machine: a few training and evaluation steps, cached in data/cache/calibration.json.
"""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxy_attention import layout
from proxy_attention.atomic import read_json, write_json
from proxy_attention.grid import expand_grid
from proxy_attention.schedule import proxy_epochs, total_epochs

CALIBRATION_CACHE = Path(layout.CALIBRATION_CACHE)
# The share of training images a proxy step finds misclassified is unknown before training;
# half is a pessimistic middle (the thesis grid's models reach 60-95% training accuracy).
ASSUMED_MISCLASSIFIED = 0.5


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
        "batch": batch,
        "steps": steps,
    }


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
        key = f"{model}@{size}@{device_name}@torch-{torch.__version__}"
        if key not in cached:
            cached[key] = measure(model, size, device_name)
            write_json(cache, cached)
        result[model, size] = cached[key]
    return result


def run_seconds(spec, counts: dict[str, int], timing: dict[str, float], params) -> float:
    """Device seconds of one run: its epochs (train + validation), proxy steps (a pass over
    the training images, saliency on the chosen subset of the misclassified), test and explain."""
    train_s, eval_s = timing["train_seconds_per_image"], timing["eval_seconds_per_image"]
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


def estimate(params: dict[str, Any], cache: Path = CALIBRATION_CACHE, measure=calibrate):
    """Everything `proxy-attention estimate` prints, as a dict (per dataset and totals)."""
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
    rows = {}
    for name in params["grid"]["datasets"]:
        mine = [spec for spec in runs if spec.dataset == name]
        size = params["datasets"][name]["image_size"]
        known = counts.get(name)
        epochs = sum(total_epochs(spec.schedule) for spec in mine)
        rows[name] = {
            "runs": len(mine),
            "epochs": epochs,
            "images": known,
            "image_epochs": epochs * known["train"] if known else None,
            "prepared_bytes": known["total"] * size * size * 3 if known else None,
            "archive_bytes": sizes[name].archive_bytes if sizes[name] else None,
            "device_hours": sum(
                run_seconds(spec, known, timing[spec.model, size], params) for spec in mine
            )
            / 3600
            if known
            else None,
        }
    return {"device": device, "rows": rows, "totals": _totals(rows), "calibrated": len(pairs)}


def _totals(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Sums over the datasets; None (printed "?") where one dataset's size is unknown."""
    keys = ("runs", "epochs", "image_epochs", "prepared_bytes", "archive_bytes", "device_hours")
    return {
        key: None
        if any(row[key] is None for row in rows.values())
        else sum(row[key] for row in rows.values())
        for key in keys
    }


def _gb(value: int | None) -> str:
    return "?" if value is None else f"{value / 1e9:.1f} GB"


def _hours(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}" if value >= 10 else f"{value:.2f}"


def format_estimate(result: dict[str, Any]) -> str:
    """A plain-text table: one line per dataset, then the totals."""
    head = f"{'dataset':<16}{'runs':>8}{'epochs':>10}{'image-epochs':>16}"
    head += f"{'download':>11}{'prepared':>11}{result['device'] + '-hours':>14}"
    lines = [head]
    for name, row in [*result["rows"].items(), ("total", result["totals"])]:
        image_epochs = "?" if row["image_epochs"] is None else f"{row['image_epochs']:,}"
        lines.append(
            f"{name:<16}{row['runs']:>8,}{row['epochs']:>10,}{image_epochs:>16}"
            f"{_gb(row['archive_bytes']):>11}{_gb(row['prepared_bytes']):>11}"
            f"{_hours(row['device_hours']):>14}"
        )
    lines.append(
        f"device-hours extrapolate a {result['calibrated']}-pair calibration on this machine's "
        f"{result['device']} (data/cache/calibration.json); proxy steps assume "
        f"{ASSUMED_MISCLASSIFIED:.0%} of training images misclassified"
    )
    return "\n".join(lines)


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
            f"{result['device'].upper()}-hours": [_hours(row["device_hours"]) for _, row in rows],
        }
    )
    caption = (
        f"What the grid of {escape(params_file)} costs before it runs "
        "(\\texttt{proxy-attention estimate}). Device-hours extrapolate a calibration of each "
        "(model, image size) pair (one warm-up and one timed training and evaluation step) "
        f"on the {escape(result['device'])} of the machine "
        "that built this document, and assume that half of the training images are "
        "misclassified at each proxy step; they are an order of magnitude, not a measurement."
    )
    return booktabs_table(frame, caption, "tab:estimate", str(params_file), "lrrrrr")
