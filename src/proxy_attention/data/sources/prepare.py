"""Stream a listing's (selected) images through decoding into the prepared format."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from proxy_attention.data.duplicates import Tally
from proxy_attention.data.prepared import PrepareReport, write_prepared
from proxy_attention.data.sources.decode import ALPHA_POLICY, BadImage, load_rgb
from proxy_attention.data.sources.errors import LayoutError, TooManyBadImages
from proxy_attention.data.sources.select import select_subset
from proxy_attention.data.sources.spec import Item, Listing


def prepare_listing(
    listing: Listing, cfg: dict[str, Any], out_dir: Path, meta: dict[str, Any]
) -> Path:
    """Select, decode and write ``listing`` to ``out_dir``, one decoded image at a time.

    ``cfg`` is the dataset entry with the schema's defaults filled (entry.with_defaults).
    """
    listing, dropped = drop_empty_classes(listing)
    size = int(cfg["image_size"])
    seed = int(cfg["seed"])
    items = select_subset(listing.items, cfg["max_per_class"], cfg["fraction"], seed)
    if not items:
        raise LayoutError(f"no images found for {meta.get('source')}; check the archive or path")
    limit = float(cfg["max_bad_fraction"])
    report = PrepareReport(total=len(items), dropped_classes=dropped)
    if dropped:
        print(f"warning: dropped empty classes (no images): {dropped}", file=sys.stderr)
    meta = {
        **meta,
        "alpha": ALPHA_POLICY,
        "selection": {
            "max_per_class": cfg["max_per_class"],
            "fraction": cfg["fraction"],
            "seed": seed,
            "listed": len(listing.items),
            "selected": len(items),
        },
    }
    samples = _tallied(_decoded(listing, items, size, report, limit), report)
    return write_prepared(out_dir, samples, len(items), size, listing.classes, meta, report)


def drop_empty_classes(listing: Listing) -> tuple[Listing, list[str]]:
    """The listing without classes that have no image (an empty class folder would be a class
    no model can learn or be tested on), relabelled densely, and the names dropped."""
    counts = np.bincount([item.label for item in listing.items], minlength=len(listing.classes))
    kept = [label for label, count in enumerate(counts) if count > 0]
    dropped = [listing.classes[label] for label, count in enumerate(counts) if count == 0]
    if not dropped:
        return listing, []
    new_label = {old: new for new, old in enumerate(kept)}
    items = [item._replace(label=new_label[item.label]) for item in listing.items]
    classes = [listing.classes[label] for label in kept]
    return dataclasses.replace(listing, classes=classes, items=items), dropped


def _decoded(
    listing: Listing, items: list[Item], size: int, report: PrepareReport, limit: float
) -> Iterator[tuple[np.ndarray, int, str | None]]:
    """Yield decoded samples; stop (rolling back the output) once too many are unreadable."""
    allowed = limit * len(items)
    for item in items:
        try:
            image, converted = load_rgb(lambda item=item: listing.open(item), size)
        except BadImage as exc:
            report.skip(item.key, str(exc))
            if len(report.skipped) > allowed:
                raise TooManyBadImages(
                    len(report.skipped), len(items), limit, [s["file"] for s in report.skipped]
                ) from None
            continue
        if converted is not None:
            report.convert(converted)
        yield image, item.label, item.split if listing.has_official_split else None


def _tallied(
    samples: Iterator[tuple[np.ndarray, int, str | None]], report: PrepareReport
) -> Iterator[tuple[np.ndarray, int, str | None]]:
    """The samples, passed on; once they are all through (before report.json is written),
    the report counts the images repeated within the dataset and across its official splits."""
    tally, splits = Tally(), []
    for sample in samples:
        tally.add(sample[0])
        splits.append(sample[2])
        yield sample
    names = np.array([name or "train" for name in splits])
    parts = {name: np.flatnonzero(names == name) for name in ("train", "val", "test")}
    report.duplicates = tally.report(parts if any(splits) else {})
    if report.duplicates["test_leaked"]:
        print(
            f"warning: {report.duplicates['test_leaked']} images of the official test split are "
            "byte-identical to training images (report.json: duplicates); the split step refuses "
            "them unless split.keep_duplicates is true",
            file=sys.stderr,
        )
