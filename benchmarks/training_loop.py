"""The project's training loop against a bare PyTorch loop over in-memory tensors.

Same model, data, batch size and optimizer. The bare loop indexes pre-made float tensors; the
project's loop gathers each batch of memory-mapped prepared uint8 images through the
replacement overlay in one read (data/batches.py), converts it, then runs ``train_epoch``. The
budget asks for at most 10% more time without augmentation; the basic augmentation's cost
(batched, augment/batched.py) is printed too, for scale.

    .venv/bin/python benchmarks/training_loop.py            # mobilenetv3_small_100, 128 px
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
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from proxy_attention.augment import batch_transform  # noqa: E402
from proxy_attention.data.batches import DeviceBatches  # noqa: E402
from proxy_attention.models import create_classifier  # noqa: E402
from proxy_attention.train.loop import train_epoch  # noqa: E402
from proxy_attention.train.optim import build_optimizer, build_scheduler  # noqa: E402
from proxy_step import random_dataset  # noqa: E402


def fresh(args):
    torch.manual_seed(0)
    model = create_classifier(args.model, 10, image_size=args.image_size)
    optimizer = build_optimizer(model, {"name": "adamw", "lr": 1e-3, "weight_decay": 1e-5})
    scheduler = build_scheduler(optimizer, {"name": "onecycle", "max_lr": 2e-3}, 10_000)
    return model, optimizer, scheduler


def bare_epoch(args, images: torch.Tensor, labels: torch.Tensor) -> float:
    model, optimizer, scheduler = fresh(args)
    model.train()
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    start = time.perf_counter()
    for begin in range(0, len(order), args.batch_size):
        batch = order[begin : begin + args.batch_size]
        loss = F.cross_entropy(model(images[batch]), labels[batch])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
    return time.perf_counter() - start


def project_epoch(args, store, transform) -> float:
    model, optimizer, scheduler = fresh(args)
    generator, cpu = torch.Generator().manual_seed(0), torch.device("cpu")
    indices = np.arange(len(store.labels))
    loader = DeviceBatches(store, indices, args.batch_size, generator, cpu, transform)
    scaler = torch.amp.GradScaler("cpu", enabled=False)
    start = time.perf_counter()
    train_epoch(model, loader, optimizer, scheduler, scaler, torch.device("cpu"))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mobilenetv3_small_100")
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = random_dataset(Path(tmp) / "data", args.images, args.image_size)
        images = torch.from_numpy(np.asarray(store.images)).permute(0, 3, 1, 2).float() / 255
        labels = torch.from_numpy(store.labels)
        plain, basic = torch.nn.Identity(), batch_transform("basic")
        times: dict[str, list[float]] = {"bare": [], "project": [], "project + basic aug": []}
        for _ in range(args.rounds):  # interleaved against load drift
            times["bare"].append(bare_epoch(args, images, labels))
            times["project"].append(project_epoch(args, store, plain))
            times["project + basic aug"].append(project_epoch(args, store, basic))
    reference = statistics.median(times["bare"])
    print(
        f"{args.model}, {args.images} images of {args.image_size} px, batch {args.batch_size}, "
        f"{torch.get_num_threads()} threads, median of {args.rounds} rounds"
    )
    for name, values in times.items():
        seconds = statistics.median(values)
        print(
            f"{name:<22}{args.images / seconds:>8.1f} images/s   time ratio "
            f"{seconds / reference:.3f}"
        )


if __name__ == "__main__":
    main()
