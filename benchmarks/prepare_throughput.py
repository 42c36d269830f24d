"""Prepare throughput and peak memory of the folder source against a bare PIL loop.

Generates 224 px JPEGs laid out one folder per class, prepares them at 64 px through
``prepare_source`` and runs a bare loop (open, convert RGB, resize) over the same files. Each
measurement runs in a fresh subprocess so its peak RSS (getrusage) is its own.

    .venv/bin/python benchmarks/prepare_throughput.py            # 2,000 and 8,000 images
    .venv/bin/python benchmarks/prepare_throughput.py --quick    # 200 and 800
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

CLASSES = 10
SOURCE_PX = 224
TARGET_PX = 64


def generate(folder: Path, count: int, seed: int = 0) -> None:
    """``count`` photo-like JPEGs (smooth colour fields plus grain), ~equal per class."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        coarse = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        image = Image.fromarray(coarse).resize((SOURCE_PX, SOURCE_PX), Image.Resampling.BICUBIC)
        grain = rng.integers(-12, 13, (SOURCE_PX, SOURCE_PX, 3))
        pixels = np.clip(np.asarray(image, dtype=np.int16) + grain, 0, 255).astype(np.uint8)
        target = folder / f"class_{i % CLASSES:02d}" / f"img_{i:06d}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(target, "JPEG", quality=90)


def link_subset(source: Path, dest: Path, count: int) -> None:
    """A folder holding the first ``count`` generated files (hard links: no extra encoding)."""
    files = sorted(source.rglob("*.jpg"), key=lambda p: p.name)[:count]
    for path in files:
        target = dest / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)


class AnonPeak(threading.Thread):
    """Samples RssAnon (heap, not file-backed pages) every 5 ms; Linux /proc only.

    ru_maxrss also counts the pages of the output memory map that were written recently (page
    cache mapped into the process), which grow with the dataset but are not held memory.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.005):
            with open("/proc/self/status") as f:
                for line in f:
                    if line.startswith("RssAnon:"):
                        self.peak_kib = max(self.peak_kib, int(line.split()[1]))


def child(mode: str, folder: Path, out: Path) -> dict[str, float]:
    """Run one measurement in this (fresh) process and return its figures."""
    from proxy_attention.data.sources import prepare_source  # imports are not timed

    sampler = AnonPeak()
    sampler.start()
    start = time.perf_counter()
    if mode == "prepare":
        cfg = {"source": "folder", "path": str(folder), "image_size": TARGET_PX}
        prepare_source(cfg, out / "raw", out / "prepared")
        count = int(json.loads((out / "prepared" / "report.json").read_text())["written"])
    else:
        count = 0
        for path in sorted(folder.rglob("*.jpg")):
            with Image.open(path) as image:
                image.convert("RGB").resize((TARGET_PX, TARGET_PX), Image.Resampling.BILINEAR)
            count += 1
    seconds = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "images": count,
        "seconds": seconds,
        "peak_rss_mib": peak_mib,
        "peak_anon_mib": sampler.peak_kib / 1024,
    }


def measure(mode: str, folder: Path, out: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", mode, str(folder), str(out)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 8000])
    parser.add_argument("--quick", action="store_true", help="200 and 800 images")
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "FOLDER", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        mode, folder, out = args.child
        print(json.dumps(child(mode, Path(folder), Path(out))))
        return
    sizes = [200, 800] if args.quick else args.sizes
    with tempfile.TemporaryDirectory(prefix="prepare-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        generate(root / "all", max(sizes))
        print(f"generated {max(sizes)} {SOURCE_PX}px JPEGs in {time.perf_counter() - started:.1f}s")
        print(f"{'images':>7} {'prepare img/s':>14} {'bare img/s':>11} {'ratio':>6} "
              f"{'peak RSS MiB prep/bare':>23} {'peak anon MiB prep/bare':>24}")  # fmt: skip
        for size in sizes:
            folder = root / f"n{size}"
            link_subset(root / "all", folder, size)
            bare = measure("bare", folder, root / f"bare{size}")
            prep = measure("prepare", folder, root / f"prep{size}")
            assert prep["images"] == bare["images"] == size
            prep_rate = size / prep["seconds"]
            bare_rate = size / bare["seconds"]
            print(
                f"{size:>7} {prep_rate:>14.0f} {bare_rate:>11.0f} {prep_rate / bare_rate:>6.2f} "
                f"{prep['peak_rss_mib']:>15.0f} / {bare['peak_rss_mib']:<5.0f}"
                f"{prep['peak_anon_mib']:>16.0f} / {bare['peak_anon_mib']:<5.0f}"
            )
    print("goal: ratio >= 0.5 (within 2x of the bare loop); prepare memory flat across sizes")
    print("peak RSS includes written pages of the output memory map (file-backed page cache)")


if __name__ == "__main__":
    main()
