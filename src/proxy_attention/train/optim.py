"""Optimizer and LR schedule: built once per run and stepped across every round."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def build_optimizer(model: nn.Module, cfg: dict[str, Any]) -> torch.optim.Optimizer:
    """params.yaml `train.optimizer`, validated: the schema has filled every default."""
    if cfg["name"] == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    return torch.optim.SGD(
        model.parameters(),
        lr=cfg["lr"],
        momentum=cfg["momentum"],
        weight_decay=cfg["weight_decay"],
    )


def build_scheduler(
    optimizer: torch.optim.Optimizer, cfg: dict[str, Any], total_steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    """One schedule over ``total_steps`` batches, stepped per batch."""
    if cfg["name"] == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=cfg["max_lr"], total_steps=max(total_steps, 1)
        )
    return torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)
