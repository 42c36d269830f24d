"""Stratified, seeded subsets chosen from the listing, before any image is decoded."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from proxy_attention.data.sources.spec import Item


def select_subset(
    items: list[Item], max_per_class: int | None, fraction: float | None, seed: int = 0
) -> list[Item]:
    """Keep, per class, a seeded random ``min(max_per_class, ceil(fraction * n))`` of its items.

    A class's quota is shared between its official splits in proportion to their sizes, so a
    subset keeps the train/test proportions. The result keeps the listing's order.
    """
    if max_per_class is None and fraction is None:
        return list(items)
    if fraction is not None and not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    if max_per_class is not None and max_per_class < 1:
        raise ValueError(f"max_per_class must be at least 1, got {max_per_class}")
    by_class: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for position, item in enumerate(items):
        by_class[item.label][item.split or ""].append(position)
    rng = np.random.default_rng(seed)
    keep: list[int] = []
    for label in sorted(by_class):
        splits = dict(sorted(by_class[label].items()))
        total = sum(len(p) for p in splits.values())
        quota = total if fraction is None else math.ceil(fraction * total)
        if max_per_class is not None:
            quota = min(quota, max_per_class)
        for name, count in _share(quota, {k: len(v) for k, v in splits.items()}).items():
            positions = splits[name]
            keep.extend(positions[i] for i in rng.permutation(len(positions))[:count])
    return [items[i] for i in sorted(keep)]


def _share(quota: int, sizes: dict[str, int]) -> dict[str, int]:
    """Split ``quota`` in proportion to ``sizes`` by largest remainder (sums to ``quota``)."""
    total = sum(sizes.values())
    exact = {k: quota * n / total for k, n in sizes.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    left = quota - sum(counts.values())
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[:left]:
        counts[k] += 1
    return counts
