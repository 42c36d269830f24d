"""Models, CAM target layers and pretrained weights checked against timm before any job runs.

A model is built on the meta device (shapes, no memory, no download) to find the target layer
the proxy step will read, so a wrong ``proxy.target_layer`` stops `snakemake -n` instead of
failing at the first proxy step, after epochs of training. Importing timm (and torch) costs
seconds, too much for every dry run of a big grid, so what passed is cached per timm version
in ``data/cache/models.json``; only a new model, layer or timm version imports timm.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from proxy_attention.layout import MODELS_CACHE
from proxy_attention.params_checks import CheckFailed

DEFAULT_CACHE = Path(MODELS_CACHE)


def check_models(params: dict[str, Any], cache: Path | None = DEFAULT_CACHE) -> None:
    """Every grid model exists in timm, has the CAM layer the proxy step and the saliency
    methods use, and has pretrained weights when ``train.pretrained`` asks for them."""
    layer = params["proxy"]["target_layer"]
    pretrained = bool(params["train"]["pretrained"])
    version = importlib.metadata.version("timm")
    passed = _read(cache)
    for arch in params["grid"]["models"]:
        key = json.dumps([version, arch, layer, pretrained])
        if key not in passed:
            check_model(arch, layer, pretrained)
            passed.add(key)
            _write(cache, passed)


def check_model(arch: str, layer: str | None, pretrained: bool) -> None:
    import timm
    import torch

    from proxy_attention.saliency.layers import OPTION, find_target_layer

    if not timm.is_model(arch):
        close = timm.list_models(f"*{arch[:4]}*")[:5]
        raise CheckFailed(
            f"grid.models = {arch!r} is not a timm model; use a name from timm.list_models()"
            + (f", e.g. {close}" if close else ", e.g. resnet18")
        )
    if pretrained and not (timm.list_pretrained(arch) or timm.list_pretrained(f"{arch}.*")):
        raise CheckFailed(
            f"train.pretrained = true, but timm has no pretrained weights for {arch!r}; "
            "set it to false or choose a model from timm.list_pretrained()"
        )
    with torch.device("meta"):
        backbone = timm.create_model(arch, pretrained=False, num_classes=2)
    try:
        find_target_layer(backbone, layer)
    except ValueError:
        names = [name for name, _ in backbone.named_children()]
        raise CheckFailed(
            f"{OPTION} = {layer!r} is not a module of {arch}; use a dotted path inside the timm "
            f"model (its top-level modules: {names})"
            if layer
            else f"{arch} has no default CAM layer; set {OPTION} to a dotted module path "
            f"inside it (its top-level modules: {names})"
        ) from None


def _read(cache: Path | None) -> set[str]:
    if cache is None or not cache.exists():
        return set()
    try:
        return set(json.loads(cache.read_text()))
    except (ValueError, TypeError):  # a damaged cache is only a cache
        return set()


def _write(cache: Path | None, passed: set[str]) -> None:
    if cache is None:
        return
    from proxy_attention.atomic import write_json

    with contextlib.suppress(OSError):  # a read-only checkout still validates, more slowly
        write_json(cache, sorted(passed))
