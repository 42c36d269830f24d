"""The training data path alone, per image size and augmentation: today's batched path (one
gather per batch, augmented as a batch on the device) against the per-sample path it replaced
(a DataLoader reading one image at a time through torchvision's per-sample transforms), next to
a resnet18 training step at that size, all measured in one run.

On the CPU everything runs on one thread, so the figures are per core. Columns:
  per-sample / batched   images/s of each path (data path alone: every batch made, none trained;
                         a batch mix runs in the training step, so a mix's row is basic's path)
  speed-up               batched / per-sample
  step                   images/s of a resnet18 training step (forward, backward, AdamW)
  batched / step         how many times the data path outruns the step (< 1: data-bound)
Last, an epoch of the embedded default's training (mobilenetv3_small_100, 112 px, batch 64)
through each path, and the time ratio.

    .venv/bin/python benchmarks/data_path.py      # 32, 112, 224 px, every augmentation
    .venv/bin/python benchmarks/data_path.py --sizes 112 --augmentations basic cutout
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader
from torchvision.transforms import v2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_attention.augment import (  # noqa: E402
    AUGMENTATIONS,
    batch_transform,
    get_augmentation,
    loads_per_sample,
    sample_transform,
)
from proxy_attention.augment.transforms import build_sample_transform  # noqa: E402
from proxy_attention.data.batches import DeviceBatches, LoaderBatches  # noqa: E402
from proxy_attention.data.views import ImageStore, TrainingImages  # noqa: E402
from proxy_step import random_dataset, training_seconds_per_image  # noqa: E402

CPU = torch.device("cpu")
# The per-sample erasing steps the batched ones replaced (torchvision's, on [0, 1] floats).
PER_SAMPLE_ERASING = {
    "cutout": lambda: v2.RandomErasing(p=1.0, scale=(0.25, 0.25), ratio=(1.0, 1.0), value=0),
    "random_erasing": lambda: v2.RandomErasing(value=0),
}


def per_sample_path(name: str, store: ImageStore, batch_size: int) -> DataLoader:
    """The data path before the batched one: every step per sample, in the loader (the
    project's per-sample transform, with torchvision's erasing where the entry erases)."""
    size = store.images.shape[1]
    steps = [build_sample_transform(size, sample_policy=get_augmentation(name).sample_policy)]
    if name in PER_SAMPLE_ERASING:
        steps.append(PER_SAMPLE_ERASING[name]())
    dataset = TrainingImages(store, np.arange(len(store.labels)), v2.Compose(steps))
    generator = torch.Generator().manual_seed(0)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)


def batched_path(name: str, store: ImageStore, batch_size: int):
    """The project's data path (train/training_state.py's _train_batches)."""
    indices, generator = np.arange(len(store.labels)), torch.Generator().manual_seed(0)
    on_device = batch_transform(name)
    if not loads_per_sample(name):
        return DeviceBatches(store, indices, batch_size, generator, CPU, on_device)
    per_sample = TrainingImages(store, indices, sample_transform(name, store.images.shape[1]))
    return LoaderBatches(per_sample, batch_size, generator, CPU, on_device, workers=0)


def images_per_second(batches) -> float:
    start, count = time.perf_counter(), 0
    for images, _ in batches:
        count += len(images)
    return count / (time.perf_counter() - start)


def step_images_per_second(model: str, store: ImageStore, batch_size: int) -> float:
    from proxy_attention.models import create_classifier

    torch.manual_seed(0)
    net = create_classifier(model, 10, image_size=store.images.shape[1])
    indices = np.arange(min(len(store.labels), 2 * batch_size))
    batches = list(DeviceBatches(store, indices, batch_size, torch.Generator(), CPU, lambda x: x))
    return 1.0 / training_seconds_per_image(net, batches, CPU)


def measure_size(args, size: int, folder: Path) -> list[dict]:
    store = random_dataset(folder / f"{size}px", args.images, size)
    rows = []
    step = step_images_per_second("resnet18", store, args.batch_size)
    for name in args.augmentations:
        times = {"per-sample": [], "batched": []}
        for _ in range(args.rounds):  # interleaved against load drift
            for key, path in (("per-sample", per_sample_path), ("batched", batched_path)):
                times[key].append(images_per_second(path(name, store, args.batch_size)))
        before, after = (statistics.median(times[k]) for k in ("per-sample", "batched"))
        rows.append(
            {
                "size": size,
                "augmentation": name,
                "per_sample": before,
                "batched": after,
                "speedup": after / before,
                "step": step,
                "batched_over_step": after / step,
            }
        )
    return rows


def default_epoch_ratio(args, folder: Path) -> tuple[float, float]:
    """Seconds of one epoch of the embedded default's training through each path (basic)."""
    from proxy_attention.models import create_classifier

    store = random_dataset(folder / "default", args.default_images, 112)
    seconds = {"per-sample": [], "batched": []}
    for _ in range(args.rounds):
        for key, make in (("per-sample", per_sample_path), ("batched", batched_path)):
            torch.manual_seed(0)
            net = create_classifier("mobilenetv3_small_100", 10, image_size=112)
            batches = make("basic", store, 64)
            seconds[key].append(training_seconds_per_image(net, batches, CPU) * args.default_images)
    return statistics.median(seconds["per-sample"]), statistics.median(seconds["batched"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 112, 224])
    parser.add_argument("--augmentations", nargs="+", default=list(AUGMENTATIONS))
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--default-images", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)  # per core
    with tempfile.TemporaryDirectory() as tmp:
        rows = [row for size in args.sizes for row in measure_size(args, size, Path(tmp))]
        before, after = default_epoch_ratio(args, Path(tmp))
    print(
        f"data path, images/s per core (one thread), batch {args.batch_size}, "
        f"{args.images} images, median of {args.rounds} rounds"
    )
    print(
        f"{'size':>5} {'augmentation':<17}{'per-sample':>11}{'batched':>10}{'speed-up':>10}"
        f"{'step':>8}{'batched/step':>14}"
    )
    for r in rows:
        print(
            f"{r['size']:>5} {r['augmentation']:<17}{r['per_sample']:>11.0f}{r['batched']:>10.0f}"
            f"{r['speedup']:>9.2f}x{r['step']:>8.1f}{r['batched_over_step']:>13.1f}x"
        )
    print(
        f"embedded default's training epoch (mobilenetv3_small_100, 112 px, basic, "
        f"{args.default_images} images): per-sample {before:.1f} s, batched {after:.1f} s, "
        f"time ratio {after / before:.2f} ({before / after - 1:+.0%} faster)"
    )


if __name__ == "__main__":
    main()
