"""Temporary changes to a model for one saliency call, each undone on exit (even on error)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import torch
from torch import nn


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[None]:
    """Evaluate with running BN statistics and no dropout; restore each module's flag after."""
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in flags:
            module.training = training


@contextmanager
def frozen_parameters(model: nn.Module) -> Iterator[None]:
    """No parameter gradients: saliency needs input/layer gradients only, and skipping the
    parameter graph makes the forward cheaper."""
    flags = [(p, p.requires_grad) for p in model.parameters()]
    for param, _ in flags:
        param.requires_grad_(False)
    try:
        yield
    finally:
        for param, flag in flags:
            param.requires_grad_(flag)


@contextmanager
def no_inplace(model: nn.Module) -> Iterator[None]:
    """Switch off ``inplace`` on timm/torch activations for the call.

    Hooks (Captum's DeepLift/GuidedBackprop, ours) must see module outputs that nothing
    overwrites later; Captum 0.9 copes with timm's in-place ReLUs, older releases did not.
    """
    changed = [m for m in model.modules() if getattr(m, "inplace", False) is True]
    for module in changed:
        module.inplace = False
    try:
        yield
    finally:
        for module in changed:
            module.inplace = True


@contextmanager
def prepared(model: nn.Module) -> Iterator[None]:
    """Eval mode, frozen parameters, no in-place activations, gradients on (even under no_grad)."""
    with ExitStack() as stack:
        stack.enter_context(torch.inference_mode(False))
        stack.enter_context(torch.enable_grad())
        stack.enter_context(eval_mode(model))
        stack.enter_context(frozen_parameters(model))
        stack.enter_context(no_inplace(model))
        yield


@contextmanager
def layer_as_leaf(layer: nn.Module, store: list[torch.Tensor]) -> Iterator[None]:
    """Replace ``layer``'s output by a detached leaf that requires grad and append it to store.

    Cutting the graph there means nothing below the layer is recorded, and a gradient w.r.t.
    the leaf is exactly dScore/dActivation (what CAM methods need), at the cost of one forward.
    """

    def hook(_module: nn.Module, _inputs: object, output: torch.Tensor) -> torch.Tensor:
        leaf = output.detach().requires_grad_(torch.is_grad_enabled())
        store.append(leaf)
        # A copy, because the caller may modify it in place (timm's residual ``x += shortcut``),
        # which autograd forbids on a leaf.
        return leaf.clone()

    handle = layer.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()
