"""Throughput of deletion + insertion AUC, as a ratio to plain forwards of the same images.

Both curves cost 2 * (steps + 1) forwards per image, so a ratio of images/s near
1 / (2 * (steps + 1)) means the metric adds nothing beyond its forwards.

    .venv/bin/python benchmarks/faithfulness_metrics.py [--images 64 --size 128 --steps 16]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

from proxy_attention.explain import deletion_auc, faithfulness_report, insertion_auc
from proxy_attention.models import create_classifier


def _seconds(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


class _NoModel(torch.nn.Module):
    """Constant logits: timing the metrics with it leaves only their own cost."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return images.new_zeros(len(images), 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    gen = torch.Generator().manual_seed(0)
    model = create_classifier("resnet18", num_classes=10).eval()
    images = torch.rand(args.images, 3, args.size, args.size, generator=gen)
    # Smooth maps, as CAM methods give: coarse noise upsampled bilinearly.
    coarse = torch.rand(args.images, 1, 7, 7, generator=gen)
    maps = F.interpolate(coarse, size=(args.size, args.size), mode="bilinear")[:, 0]
    targets = torch.randint(0, 10, (args.images,), generator=gen)
    common = {"steps": args.steps, "batch_size": args.batch_size}

    def forward() -> None:
        with torch.no_grad():
            for chunk in images.split(args.batch_size):
                model(chunk)

    def curves(net: torch.nn.Module = model) -> None:
        deletion_auc(net, images, maps, targets, **common)
        insertion_auc(net, images, maps, targets, **common)

    forward()  # warm-up: allocator and oneDNN kernels
    forward_before = _seconds(forward, repeats=3)
    curves_s = _seconds(curves, repeats=1)
    report_s = _seconds(lambda: faithfulness_report(model, images, targets, maps, **common), 1)
    bare_s = _seconds(lambda: curves(_NoModel()), repeats=3)
    # The machine is shared: take the best reference from before and after the metrics.
    forward_s = min(forward_before, _seconds(forward, repeats=3))

    n, k = args.images, args.steps
    ideal = 1 / (2 * (k + 1))
    print(
        f"resnet18, {n} images, {args.size} px, steps {k}, batch {args.batch_size}, "
        f"{args.threads} threads"
    )
    print(f"plain forward:          {n / forward_s:8.1f} images/s")
    ratio = forward_s / curves_s
    print(
        f"deletion + insertion:   {n / curves_s:8.2f} images/s  ratio {ratio:.4f} "
        f"(ideal 1/(2*(steps+1)) = {ideal:.4f}; overhead {ideal / ratio - 1:+.1%})"
    )
    print(
        f"  of which outside the model (blur, ranking, masking): {bare_s:.2f} s "
        f"of {curves_s:.2f} s ({bare_s / curves_s:.1%})"
    )
    report_ratio = forward_s / report_s
    report_ideal = 1 / (2 * k + 1)
    print(
        f"faithfulness_report:    {n / report_s:8.2f} images/s  ratio {report_ratio:.4f} "
        f"(ideal 1/(2*steps+1) = {report_ideal:.4f}; "
        f"overhead {report_ideal / report_ratio - 1:+.1%})"
    )


if __name__ == "__main__":
    main()
