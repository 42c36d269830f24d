"""The params slice each step is given: the only knobs it reads beyond its run and its data.

A step's settings string (the rule param Snakemake compares, and what a result's stamp hashes)
is its slice as canonical JSON, so a step that reads only its slice reruns exactly when what it
reads changes. One frozen dataclass per step; the step's entry function takes that type and
refuses anything else (a whole params dict would let it read keys its settings do not declare).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class TrainSlice:
    """What train.run.train_run reads: params.yaml `train` and `proxy`."""

    train: dict[str, Any]
    proxy: dict[str, Any]


@dataclass(frozen=True)
class ExplainSlice:
    """What explain.measure.measure_run reads: `explain` and the CAM layer of `proxy`."""

    explain: dict[str, Any]
    target_layer: str | None


def train_slice(params: dict[str, Any]) -> TrainSlice:
    return TrainSlice(train=params["train"], proxy=params["proxy"])


def explain_slice(params: dict[str, Any]) -> ExplainSlice:
    return ExplainSlice(explain=params["explain"], target_layer=params["proxy"]["target_layer"])


def settings_string(step_slice: TrainSlice | ExplainSlice) -> str:
    """A step's slice as canonical JSON: the rule param Snakemake compares, and what a
    result's stamp is a hash of."""
    return json.dumps(asdict(step_slice), sort_keys=True)


def train_settings(params: dict[str, Any]) -> str:
    return settings_string(train_slice(params))


def explain_settings(params: dict[str, Any]) -> str:
    return settings_string(explain_slice(params))


def require_slice(given: object, kind: type, step: str) -> None:
    """Refuse anything but a slice of type ``kind``."""
    if not isinstance(given, kind):
        maker = f"slices.{kind.__name__.removesuffix('Slice').lower()}_slice(params)"
        raise TypeError(f"{step} takes {maker}, not a {type(given).__name__}")
