"""Faithfulness of a saliency method over a whole evaluation set, one batch in memory at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from proxy_attention.explain.faithfulness import Baseline, faithfulness_report

SaliencyFn = Callable[[nn.Module, torch.Tensor, torch.Tensor, str], torch.Tensor]


def _default_saliency() -> SaliencyFn:
    # Imported late: the metrics themselves take maps and do not need the saliency package.
    from proxy_attention.saliency import saliency_maps

    return saliency_maps


def explanation_scores(
    model: nn.Module,
    batches: Iterable[tuple[torch.Tensor, torch.Tensor]],
    method: str,
    steps: int = 16,
    baseline: Baseline = "blur",
    batch_size: int = 64,
    target: str = "predicted",
    saliency_fn: SaliencyFn | None = None,
) -> dict[str, torch.Tensor]:
    """Per-image metrics (N,) of ``method``'s maps over (images, labels) batches.

    ``target="predicted"`` explains the model's decision; ``"true"`` the labelled class.
    """
    if target not in ("predicted", "true"):
        raise ValueError(f"unknown target {target!r}: use 'predicted' or 'true'")
    saliency = saliency_fn or _default_saliency()
    parts: dict[str, list[torch.Tensor]] = {}
    for images, labels in batches:
        if target == "predicted":
            was_training = model.training
            model.eval()
            with torch.no_grad():
                targets = model(images).argmax(dim=1)
            model.train(was_training)
        else:
            targets = labels.to(images.device)
        maps = saliency(model, images, targets, method)
        report = faithfulness_report(
            model, images, targets, maps.detach(), steps, baseline, batch_size
        )
        report["target"] = targets
        for key, value in report.items():
            parts.setdefault(key, []).append(value.cpu())
    if not parts:
        raise ValueError("no images to evaluate")
    return {key: torch.cat(values) for key, values in parts.items()}


def summarise(scores: dict[str, torch.Tensor]) -> dict[str, float]:
    """Mean of each metric over images (Average Drop stays a fraction, not a percentage)."""
    return {key: value.float().mean().item() for key, value in scores.items() if key != "target"}
