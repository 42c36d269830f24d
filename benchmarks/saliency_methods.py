"""Saliency throughput per method, as a ratio to the training throughput of the same model.

One process, one model, one batch size: (a) training images/s (forward + backward + AdamW
step on random data, after a warm-up); (b) saliency images/s per method through
``saliency_maps``, plus pytorch-grad-cam's and torchcam's GradCAM++ for comparison. The goal for
gradcam and gradcampp is (b)/(a) >= 2. Rounds interleave one training step with one call of
each method, and each ratio is the median over rounds of (b) over the same round's (a), so a
load change on a shared machine moves both sides. Methods that cost many forwards per image
(scorecam, integrated_gradients, smoothgrad, occlusion) run once, on a small batch.

    .venv/bin/python benchmarks/saliency_methods.py                # resnet18, 64 x 128 px
    .venv/bin/python benchmarks/saliency_methods.py --quick        # smoke run: batch 16, 1 round
    .venv/bin/python benchmarks/saliency_methods.py --methods all
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable

import torch
import torch.nn.functional as F
from pytorch_grad_cam import GradCAMPlusPlus
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
from torchcam.methods import GradCAMpp

from proxy_attention.models import create_classifier
from proxy_attention.saliency import METHODS, find_target_layer, normalise_maps, saliency_maps

LIBRARY_ROWS = ["pytorch-grad-cam gradcampp", "torchcam gradcampp"]
DEFAULT_METHODS = ["gradcam", "gradcampp", "eigengradcam", "saliency", "scorecam", *LIBRARY_ROWS]
MANY_FORWARDS = {"scorecam": 1, "integrated_gradients": 2, "smoothgrad": 2, "occlusion": 2}


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pytorch_grad_cam_gradcampp(model, x, y, layer) -> torch.Tensor:
    """pytorch-grad-cam's GradCAMPlusPlus, brought back to a (B, H, W) tensor on x's device."""
    with GradCAMPlusPlus(model, [layer]) as cam:
        maps = cam(x, [ClassifierOutputTarget(int(t)) for t in y])
    model.zero_grad(set_to_none=True)  # it calls loss.backward(), filling parameter .grad
    return torch.from_numpy(maps).to(x.device)


def torchcam_gradcampp(model, x, y, layer) -> torch.Tensor:
    """torchcam's GradCAMpp at the layer's size, then the common upsampling + min-max."""
    with GradCAMpp(model, layer, input_shape=tuple(x.shape[1:])) as extractor:
        cams = extractor(y.tolist(), model(x))[0]
    return normalise_maps(cams, tuple(x.shape[-2:]), signed=False)


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="resnet18")
    parser.add_argument("--num-classes", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds (median)")
    parser.add_argument("--methods", nargs="+", default=DEFAULT_METHODS, help="or: all")
    parser.add_argument("--quick", action="store_true", help="batch 16, 1 round")
    args = parser.parse_args()
    if args.quick:
        args.batch_size, args.rounds = min(args.batch_size, 16), 1
    if args.methods == ["all"]:
        args.methods = sorted(METHODS) + LIBRARY_ROWS
    return args


def main() -> None:
    args = _parse()
    warnings.filterwarnings("ignore", category=UserWarning)
    torch.manual_seed(0)
    size = args.image_size
    model = create_classifier(args.arch, args.num_classes, image_size=size)
    x = torch.rand(args.batch_size, 3, size, size)
    y = torch.randint(0, args.num_classes, (args.batch_size,))
    layer = find_target_layer(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    library = {LIBRARY_ROWS[0]: pytorch_grad_cam_gradcampp, LIBRARY_ROWS[1]: torchcam_gradcampp}

    def train_step() -> None:
        model.train()
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        model.eval()

    def call(name: str, n: int) -> Callable[[], object]:
        if name in library:
            return lambda: library[name](model, x[:n], y[:n], layer)
        return lambda: saliency_maps(model, x[:n], y[:n], name)

    train_step()  # warm-up
    for name in args.methods:
        if name not in MANY_FORWARDS:
            call(name, 1)()  # warm-up: lazy inits (LAPACK, hooks, allocator)
    train_rates: list[float] = []
    rates: dict[str, list[float]] = {name: [] for name in args.methods}
    ratios: dict[str, list[float]] = {name: [] for name in args.methods}
    for round_ in range(args.rounds):
        train_rates.append(len(x) / _seconds(train_step))
        for name in args.methods:
            if name in MANY_FORWARDS and round_ > 0:
                continue
            batch = min(len(x), MANY_FORWARDS.get(name, len(x)))
            rates[name].append(batch / _seconds(call(name, batch)))
            ratios[name].append(rates[name][-1] / train_rates[-1])

    print(f"{args.arch}, {args.num_classes} classes, {size} px, {torch.get_num_threads()} threads")
    print(f"{'method':<28}{'batch':>6}{'images/s':>11}{'ratio':>8}  source")
    print(f"{'training step (a)':<28}{len(x):>6}{statistics.median(train_rates):>11.1f}", end="")
    print(f"{1.0:>8.2f}  torch AdamW")
    for name in args.methods:
        batch = min(len(x), MANY_FORWARDS.get(name, len(x)))
        source = name.split()[0] if name in library else METHODS[name].source
        rate, ratio = statistics.median(rates[name]), statistics.median(ratios[name])
        print(f"{name:<28}{batch:>6}{rate:>11.1f}{ratio:>8.2f}  {source}")


if __name__ == "__main__":
    main()
