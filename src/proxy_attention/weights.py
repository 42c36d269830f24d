"""Pretrained weights fetched once, into the project's data folder, before any training job.

Compute nodes of many clusters have no network: the `weights` rule (a local rule, so it runs
where Snakemake runs) downloads every pretrained model of the grid into WEIGHTS_CACHE, and the
training jobs read that cache with the Hugging Face hub offline (WEIGHTS_ENV, set by the rules).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

from proxy_attention.atomic import write_json
from proxy_attention.layout import WEIGHTS_CACHE

MARKER = f"{WEIGHTS_CACHE}/ready.json"


def cache_env(cache: str = WEIGHTS_CACHE, offline: bool = True) -> dict[str, str]:
    """Where timm's downloads go: the Hugging Face hub (most weights) and torch.hub (a few
    older ones) both honour these variables; offline, a missing file fails instead of fetching."""
    env = {"HF_HOME": f"{cache}/huggingface", "TORCH_HOME": f"{cache}/torch"}
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    return env


def shell_prefix(offline: bool = True) -> str:
    """The variables as a shell prefix for a rule's command line, each value quoted (the
    name stays bare: a quoted ``'NAME=value'`` is a command, not an assignment)."""
    return " ".join(f"{k}={shlex.quote(v)}" for k, v in cache_env(offline=offline).items())


def grid_models(params: dict[str, Any]) -> list[str]:
    """The models whose pretrained weights the grid needs ([] when train.pretrained is off)."""
    return list(params["grid"]["models"]) if params["train"]["pretrained"] else []


def fetch_weights(models: list[str], marker: Path) -> dict[str, Any]:
    """Create each model once with pretrained=True (timm downloads and caches its weights),
    then write ``marker``; the variables of cache_env(offline=False) must already be set."""
    import timm

    fetched = []
    for name in models:
        timm.create_model(name, pretrained=True)
        fetched.append(name)
        print(f"{name}: weights cached in {os.environ.get('HF_HOME', '(default cache)')}")
    record = {"models": fetched, "timm": timm.__version__}
    write_json(marker, record)
    return record
