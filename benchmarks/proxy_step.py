"""Proxy-step throughput against training throughput, and its memory against the set size.

In one process, on the same model, batch size and device: (a) training images/s through the
project's training loop (forward, backward, AdamW, OneCycle step) on random data; (b) proxy-step
images/s (selection excluded: saliency + proxy images + artifact write) for each method; the
ratio (b)/(a) should be >= 2 for gradcam and gradcampp. Then, in a fresh
subprocess per size, the peak anonymous memory of a proxy step over two set sizes: it must not
grow with the number of misclassified images, which are streamed in batches.

    .venv/bin/python benchmarks/proxy_step.py                 # resnet18, 64 x 128 px
    .venv/bin/python benchmarks/proxy_step.py --quick
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from memory import peak_anon_mib  # noqa: E402
from proxy_attention.data.prepared import open_prepared, write_prepared  # noqa: E402
from proxy_attention.data.views import ImageStore  # noqa: E402
from proxy_attention.grid import ProxySettings  # noqa: E402
from proxy_attention.models import create_classifier  # noqa: E402
from proxy_attention.proxy.step import Chosen, StepOptions, make_proxies  # noqa: E402
from proxy_attention.train.loop import train_epoch  # noqa: E402
from proxy_attention.train.optim import build_optimizer, build_scheduler  # noqa: E402


def random_dataset(folder: Path, count: int, size: int) -> ImageStore:
    rng = np.random.default_rng(0)
    samples = (
        (rng.integers(0, 256, (size, size, 3), dtype=np.uint8), i % 10, None) for i in range(count)
    )
    write_prepared(folder, samples, count, size, [str(c) for c in range(10)])
    data = open_prepared(folder)
    return ImageStore(data.images, data.labels)


def training_seconds_per_image(model, batches, device) -> float:
    optimizer = build_optimizer(model, {"name": "adamw", "lr": 1e-3, "weight_decay": 1e-5})
    scheduler = build_scheduler(optimizer, {"name": "onecycle", "max_lr": 2e-3}, len(batches))
    scaler = torch.amp.GradScaler(device.type, enabled=device.type == "cuda")
    start = time.perf_counter()
    result = train_epoch(model, batches, optimizer, scheduler, scaler, device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / result.images


def proxy_seconds_per_image(model, store, method, batch_size, device, folder) -> float:
    indices = np.arange(len(store.labels))
    targets = store.labels[indices]
    settings = ProxySettings(method, threshold=0.5, weight=0.8, subset=1.0)
    options = StepOptions(
        selection="random",
        target="predicted",
        target_layer=None,
        batch_size=batch_size,
        contact_sheet_images=8,
    )
    start = time.perf_counter()
    make_proxies(model, store, Chosen(indices, targets), settings, options, folder, device)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / len(indices)


def throughput(args: argparse.Namespace) -> None:
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = create_classifier(args.model, 10, image_size=args.image_size).to(device)
    with tempfile.TemporaryDirectory() as tmp:
        store = random_dataset(Path(tmp) / "data", args.batch_size * args.batches, args.image_size)
        batch = torch.rand(args.batch_size, 3, args.image_size, args.image_size, device=device)
        batches = [(batch, torch.randint(0, 10, (args.batch_size,), device=device))] * args.batches
        training_seconds_per_image(model, batches[:1], device)  # warm-up
        for method in args.methods:  # warm-up
            proxy_seconds_per_image(
                model, store, method, args.batch_size, device, Path(tmp) / f"warm-{method}"
            )
        ratios: dict[str, list[float]] = {m: [] for m in args.methods}
        train_rates = []
        for round_index in range(args.rounds):
            # Interleaved, so a load change on a shared machine moves both sides of a ratio.
            train = training_seconds_per_image(model, batches, device)
            train_rates.append(1 / train)
            for method in args.methods:
                step = proxy_seconds_per_image(
                    model,
                    store,
                    method,
                    args.batch_size,
                    device,
                    Path(tmp) / f"{method}-{round_index}",
                )
                ratios[method].append(train / step)
    print(
        f"device {device}, {args.model}, batch {args.batch_size}, {args.image_size} px, "
        f"{torch.get_num_threads()} threads, median of {args.rounds} rounds"
    )
    print(f"{'training step':<24}{statistics.median(train_rates):>10.1f} images/s   ratio 1.00")
    for method in args.methods:
        ratio = statistics.median(ratios[method])
        rate = ratio * statistics.median(train_rates)
        flag = (
            ""
            if method not in ("gradcam", "gradcampp")
            else ("  ok" if ratio >= 2 else "  BELOW 2.0")
        )
        print(f"{'proxy step ' + method:<24}{rate:>10.1f} images/s   ratio {ratio:.2f}{flag}")


def memory_child(args: argparse.Namespace) -> None:
    """One proxy step over ``--count`` images; prints the peak anonymous memory as JSON."""
    torch.manual_seed(0)
    model = create_classifier(args.model, 10, image_size=args.image_size)
    with tempfile.TemporaryDirectory() as tmp:
        store = random_dataset(Path(tmp) / "data", args.count, args.image_size)
        proxy_seconds_per_image(
            model, store, "gradcampp", args.batch_size, torch.device("cpu"), Path(tmp) / "warm"
        )  # allocator and library warm-up
        with peak_anon_mib() as memory:
            proxy_seconds_per_image(
                model, store, "gradcampp", args.batch_size, torch.device("cpu"), Path(tmp) / "step"
            )
    print(json.dumps({"count": args.count, **memory}))


def memory(args: argparse.Namespace) -> None:
    print("peak anonymous memory of one gradcampp proxy step (fresh process per size):")
    for count in args.sizes:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--memory-child",
                "--count",
                str(count),
                "--model",
                args.model,
                "--image-size",
                str(args.image_size),
                "--batch-size",
                str(args.batch_size),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        print(
            f"  {count:>6} misclassified images: peak {result['peak']:.0f} MiB "
            f"(+{result['peak'] - result['start']:.0f} MiB over the process before the step)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--methods", nargs="+", default=["gradcam", "gradcampp", "saliency"])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--sizes", type=int, nargs=2, default=[256, 2048])
    parser.add_argument("--quick", action="store_true", help="one round, small memory sizes")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args)
        return
    if args.quick:
        args.rounds, args.batches, args.sizes = 1, 1, [128, 512]
    throughput(args)
    memory(args)


if __name__ == "__main__":
    main()
