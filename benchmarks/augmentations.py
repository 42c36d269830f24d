"""What each augmentation costs: training throughput (images per second) of every registry
entry, as a ratio to ``basic``, in one run with the same model, image size, batch and data.

Each augmentation trains through the trainer's own batch path (train/training_state.py: batch
steps on the device, per-sample policies in the loader, the batch mix and its saliency in the
loop), so the ratio is what it adds to a training epoch. One warm-up epoch per augmentation,
then the median of ``--repeats`` timed epochs, taken in turns over the augmentations.

    .venv/bin/python benchmarks/augmentations.py                        # 32 px, CPU or GPU
    .venv/bin/python benchmarks/augmentations.py --image-size 128 --images 4096
"""

from __future__ import annotations

import argparse
import statistics
import time
from types import SimpleNamespace

import numpy as np
import torch

from proxy_attention.augment import AUGMENTATIONS, masking_defaults
from proxy_attention.data.views import ImageStore
from proxy_attention.models import create_classifier
from proxy_attention.params import load_schema
from proxy_attention.train.loop import train_epoch
from proxy_attention.train.optim import build_optimizer, build_scheduler
from proxy_attention.train.training_state import _mixer, _train_batches


def _defaults(section: str) -> dict:
    node = load_schema()["properties"]["train"]["properties"][section]["properties"]
    return {key: value["default"] for key, value in node.items() if "default" in value}


def training_setup(name: str, store: ImageStore, args, device: torch.device) -> tuple:
    """What train_epoch takes for augmentation ``name``: a fresh model, its optimiser and the
    trainer's batches and mix, each from seed 0."""
    torch.manual_seed(0)
    classes = int(store.labels.max()) + 1
    model = create_classifier(args.model, classes, False, args.image_size).to(device)
    optimizer = build_optimizer(model, {"name": "adamw", "lr": 1e-3, "weight_decay": 1e-5})
    scheduler = build_scheduler(optimizer, {"name": "onecycle", "max_lr": 2e-3}, 100_000)
    scaler = torch.amp.GradScaler(device.type, enabled=device.type == "cuda")
    settings = {"hflip": 0.5, "rotation": 10.0, "masking": masking_defaults()}
    indices = np.arange(len(store.labels))
    generator = torch.Generator().manual_seed(0)
    batches = _train_batches(
        name, store, indices, settings, args.batch_size, generator, device, args.workers
    )
    spec = SimpleNamespace(augmentation=name)
    proxy = {"target_layer": None}
    mixer = _mixer(spec, classes, model, _defaults("mixing"), proxy, masking_defaults())
    return model, batches, optimizer, scheduler, scaler, device, mixer


def epoch_seconds(setup: tuple) -> float:
    device = setup[5]
    if device.type == "cuda":
        torch.cuda.synchronize()
    tick = time.perf_counter()
    train_epoch(*setup)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - tick


def median_seconds(names: list[str], store: ImageStore, args, device: torch.device) -> dict:
    """Median epoch seconds of each augmentation after a warm-up epoch. The epochs go round
    the augmentations in turn, so a change in the machine's load reaches every one alike."""
    setups = {name: training_setup(name, store, args, device) for name in names}
    for setup in setups.values():
        epoch_seconds(setup)  # warm-up: kernels, caches, the loader's first workers
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(args.repeats):
        for name, setup in setups.items():
            times[name].append(epoch_seconds(setup))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mobilenetv3_small_100")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--images", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--only", nargs="*", default=None, help="augmentations (basic first)")
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rng = np.random.default_rng(0)
    size = (args.images, args.image_size, args.image_size, 3)
    store = ImageStore(rng.integers(0, 256, size, dtype=np.uint8), rng.integers(0, 10, args.images))
    names = ["basic", *[n for n in args.only or AUGMENTATIONS if n != "basic"]]
    print(f"{args.model}, {args.image_size} px, batch {args.batch_size}, {args.images} images")
    print(f"device: {device}, median of {args.repeats} epochs each")
    seconds = median_seconds(names, store, args, device)
    print(f"{'augmentation':<20} {'images/s':>10} {'ratio to basic':>15}")
    for name in names:
        rate, base = args.images / seconds[name], args.images / seconds["basic"]
        print(f"{name:<20} {rate:>10.0f} {rate / base:>15.2f}")


if __name__ == "__main__":
    main()
