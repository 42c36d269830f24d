"""Checks of params.yaml values that a JSON schema cannot express, each failing as one line.

They run when params are loaded, so `snakemake -n` stops before any job: a NaN learning rate,
a checksum that is not a digest, a folder that does not exist, a variant the source does not
have, a schedule whose proxy images are never trained on. Each message names the key, the
value and what is allowed. (Model names and layers are checked by model_checks.py.)
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from proxy_attention.augment_chains import ChainError, check_augmentation

MAX_EPOCHS = 10_000  # more epochs than any run of the source thesis by two orders: a typo
# Variants a source reads from inside one archive (the others have one file set per variant).
_LAYOUT_VARIANTS = {"plant_village": ("color", "grayscale", "segmented")}
_DIGEST_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64}


class CheckFailed(ValueError):
    """One problem, as the line params.ParamsError prints after the file name."""


def check_values(params: dict[str, Any]) -> None:
    """Every check below, in the order a reader meets the keys in params.yaml."""
    check_finite(params)
    for name, cfg in params["datasets"].items():
        check_dataset(name, cfg)
    for index, schedule in enumerate(params["grid"]["schedules"]):
        check_schedule(f"grid.schedules[{index}]", schedule)
    check_folds(params["split"]["folds"], params["grid"]["folds"])
    check_grid_size(params["grid"], params["split"]["folds"])
    check_augmentations(params["grid"])
    check_ranges("train.masking", params["train"]["masking"])


# Snakemake plans about a thousand jobs a second (README, benchmarks/dry_run.py): past this
# many, `snakemake -n` sits silent for over a minute before it says anything.
MAX_PLANNED_JOBS = 60_000
# Runs expand in Python even when bundled (about 70,000 a second): past this, validation and
# planning wait several seconds each however few the jobs.
MAX_RUNS = 500_000


def check_grid_size(grid: dict[str, Any], folds: int) -> None:
    """Refuse a grid whose training and explain jobs Snakemake cannot plan in about a minute.
    Counted by arithmetic (at most: controls that coincide are counted apart), because
    expanding a grid of millions of runs is itself the wait this check avoids."""
    proxy = grid["proxy"]
    lists = {key: len(proxy[key]) for key in PROXY_LISTS}
    proxies = math.prod(lists.values())
    base = len(grid["datasets"]) * len(grid["models"]) * len(grid["seeds"])
    base *= len(grid["folds"]) if grid["folds"] is not None else folds
    per_base = sum(
        1 + (proxies if "p" in schedule else 0)
        for _ in grid["augmentations"]
        for schedule in grid["schedules"]
    )
    leak = grid["leak_check"] or {}
    twins = 2 * proxies * len(leak.get("augmentations", ())) * len(leak.get("schedules", ()))
    runs = base * (per_base + twins)
    shared = math.prod(
        lists.get(key, len(grid.get(key) or ())) or 1 for key in grid["train_together"]
    )
    jobs = 2 * runs // max(shared, 1)  # a train and an explain job per run or bundle
    if runs > MAX_RUNS:
        raise CheckFailed(
            f"the grid makes about {runs:,} runs, more than the {MAX_RUNS:,} one build can "
            "plan; shrink its lists (seeds, thresholds, weights, ...) or split it into "
            "several params files"
        )
    if jobs > MAX_PLANNED_JOBS:
        raise CheckFailed(
            f"the grid makes about {runs:,} runs, {jobs:,} jobs to plan (over {MAX_PLANNED_JOBS:,}"
            ", a minute of `snakemake -n` before it prints anything); set grid.train_together "
            "(e.g. [thresholds, weights]) so runs share jobs, or shrink the grid"
        )


# The proxy lists crossed into every schedule with a p (grid.py: _proxy_settings).
PROXY_LISTS = ("methods", "thresholds", "weights", "subsets", "clear_every_step", "modes")


def check_augmentations(grid: dict[str, Any]) -> None:
    """Every grid entry (and leak twin) is an augmentation or a chain training can run."""
    entries = [("grid.augmentations", grid["augmentations"])]
    entries.append(
        ("grid.leak_check.augmentations", (grid["leak_check"] or {}).get("augmentations", []))
    )
    for key, names in entries:
        for index, name in enumerate(names):
            try:
                check_augmentation(f"{key}[{index}]", name)
            except ChainError as error:
                raise CheckFailed(str(error)) from None


def check_ranges(key: str, settings: dict[str, Any]) -> None:
    """A [low, high] range of the augmentations' settings has low <= high."""
    for name, value in settings.items():
        if isinstance(value, list) and len(value) == 2 and value[0] > value[1]:
            raise CheckFailed(
                f"{key}.{name} = {value} is not a range: low > high; write [{value[1]}, {value[0]}]"
            )


def check_folds(folds: int, chosen: list[int] | None) -> None:
    """grid.folds names folds that split.folds makes (0 to k - 1), and none without folds."""
    if chosen is None:
        return
    if folds == 1:
        raise CheckFailed(
            f"grid.folds = {chosen} but split.folds = 1 makes no folds; set split.folds to "
            "the number of folds (e.g. 5) or grid.folds to null"
        )
    outside = [fold for fold in chosen if fold >= folds]
    if outside:
        raise CheckFailed(
            f"grid.folds = {chosen} names fold {outside[0]}, but split.folds = {folds} makes "
            f"folds 0 to {folds - 1}; choose from those or null (every fold)"
        )


def check_finite(value: Any, key: str = "") -> None:
    """No NaN or infinity anywhere: YAML's .nan and .inf parse as floats and pass the schema's
    bounds checks where only one bound is set (weight_decay, max_lr, ...)."""
    if isinstance(value, dict):
        for sub, item in value.items():
            check_finite(item, f"{key}.{sub}" if key else str(sub))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_finite(item, f"{key}[{index}]")
    elif isinstance(value, float) and not math.isfinite(value):
        raise CheckFailed(f"{key} = {value!r} is not a finite number; give a real value")


def check_schedule(key: str, schedule: list[Any]) -> None:
    epochs = sum(1 if item == "p" else int(item) for item in schedule)
    if epochs > MAX_EPOCHS:
        raise CheckFailed(
            f"{key} = {schedule} trains {epochs} epochs; at most {MAX_EPOCHS} are allowed"
        )
    if schedule and schedule[-1] == "p":
        raise CheckFailed(
            f"{key} = {schedule} ends with p, so its last proxy images are never trained on; "
            f"end it with a number of epochs, e.g. {[*schedule, 1]}"
        )


def check_dataset(name: str, cfg: dict[str, Any]) -> None:
    from proxy_attention.data.sources.registry import SOURCES  # data code; only needed here

    key = f"datasets.{name}"
    source = SOURCES[cfg["source"]]
    if source.local_path is not None and cfg.get("path") and not Path(cfg["path"]).exists():
        raise CheckFailed(
            f"{key}.path = {cfg['path']!r} does not exist (relative to {Path.cwd()}); point it "
            "at a folder, or a .zip/.tar archive, with one sub-folder per class"
        )
    variant = cfg.get("variant")
    allowed = sorted(source.variants) or list(_LAYOUT_VARIANTS.get(source.name, ()))
    if variant is not None and variant not in allowed:
        choices = f"choose one of {allowed}" if allowed else f"{source.name} has no variants"
        raise CheckFailed(f"{key}.variant = {variant!r} is not allowed; {choices} (or null)")
    names = {remote.name for remote in source.files_for(cfg)}
    for file_name, digest in (cfg.get("checksums") or {}).items():
        if file_name not in names:
            raise CheckFailed(
                f"{key}.checksums names {file_name!r}, which {source.name} does not download; "
                f"its files: {sorted(names) or 'none'}"
            )
        check_digest(f"{key}.checksums.{file_name}", digest)


def check_digest(key: str, value: str) -> None:
    """``md5:<32 hex>``, ``sha1:<40 hex>``, ``sha256:<64 hex>``, or bare hex of those lengths."""
    algo, sep, hexdigest = value.partition(":")
    if not sep:
        hexdigest = value
        algo = next((a for a, n in _DIGEST_LENGTHS.items() if n == len(value)), "")
    length = _DIGEST_LENGTHS.get(algo.lower())
    if length is None or not re.fullmatch(rf"[0-9a-fA-F]{{{length}}}", hexdigest):
        raise CheckFailed(
            f"{key} = {value!r} is not a digest; write md5:<32 hex digits>, "
            "sha1:<40 hex digits> or sha256:<64 hex digits>"
        )
