"""Which augmentations a grid entry may chain, checked without importing torch.

A grid entry is one augmentation or a chain of them joined by ``+`` (``randaugment+cutmix``).
Training runs a chain in a fixed order, so the name must list its parts in that order: at most
one per-sample policy (in the loader), then batch steps (on the device), then at most one batch
mix (in the training loop). ``basic`` is part of every entry and never chained. The params
checks run this before any job, so it lives outside ``augment/`` (whose import pulls in torch);
a unit test keeps ``KINDS`` equal to what augment/registry.py's entries are.
"""

from __future__ import annotations

SEPARATOR = "+"
ORDER = ("policy", "steps", "mix")  # the order training runs the kinds of step in
KINDS: dict[str, str] = {
    "basic": "basic",
    "cutout": "steps",
    "random_erasing": "steps",
    "mixup": "mix",
    "cutmix": "mix",
    "augmix": "policy",
    "randaugment": "policy",
    "trivialaugment": "policy",
    "saliencymix": "mix",
    "attentive_cutmix": "mix",
    "autoaugment": "policy",
    "gridmask": "steps",
    "hide_and_seek": "steps",
    "cowmask_erase": "steps",
    "keepaugment": "mix",
    "fmix": "mix",
    "resizemix": "mix",
    "ricap": "mix",
    "smoothmix": "mix",
    "cowmask_mix": "mix",
    "snapmix": "mix",
    "sample_pairing": "mix",
    "puzzlemix": "mix",
}


class ChainError(ValueError):
    """One line: what is wrong with a grid entry and how to write it instead."""


def chain_parts(name: str) -> list[str]:
    """The augmentations of a grid entry, in the order they run."""
    return name.split(SEPARATOR)


def check_augmentation(key: str, name: str) -> None:
    """A grid entry is a known augmentation or a chain training can run as written."""
    parts = chain_parts(name)
    unknown = [part for part in parts if part not in KINDS]
    if unknown:
        raise ChainError(
            f"{key} = {name!r}: {unknown[0]!r} is not an augmentation; "
            f"choose from: {', '.join(KINDS)}"
        )
    if len(parts) == 1:
        return
    if "basic" in parts:
        raise ChainError(f"{key} = {name!r}: basic is part of every augmentation; drop it")
    if len(set(parts)) < len(parts):
        raise ChainError(f"{key} = {name!r} repeats an augmentation; name each once")
    _check_kinds(key, name, [KINDS[part] for part in parts])


def _check_kinds(key: str, name: str, kinds: list[str]) -> None:
    for kind, where in (("policy", "per-sample policy"), ("mix", "batch mix")):
        if kinds.count(kind) > 1:
            same = [part for part in chain_parts(name) if KINDS[part] == kind]
            raise ChainError(
                f"{key} = {name!r} has {len(same)} of kind {where} ({', '.join(same)}); "
                f"a chain takes at most one: keep one"
            )
    ordered = sorted(chain_parts(name), key=lambda part: ORDER.index(KINDS[part]))
    if kinds != sorted(kinds, key=ORDER.index):
        raise ChainError(
            f"{key} = {name!r} is not in the order training runs it (per-sample policy, "
            f"batch steps, batch mix); write it as {SEPARATOR.join(ordered)!r}"
        )
