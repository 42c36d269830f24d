"""The augmentation registry: one entry is all an augmentation takes."""

import pytest
import torch

from proxy_attention import augment
from proxy_attention.augment import (
    AUGMENTATIONS,
    AugmentationSpec,
    MixRequest,
    batch_augment,
    batch_transform,
    get_augmentation,
    requires_saliency,
)
from proxy_attention.augment_chains import KINDS
from proxy_attention.params import load_schema


def test_schema_enum_lists_the_registry_in_order():
    schema = load_schema()
    grid = schema["properties"]["grid"]["properties"]
    assert grid["augmentations"]["items"] == {"$ref": "#/$defs/augmentation"}
    names, chain = schema["$defs"]["augmentation"]["anyOf"]
    assert names["enum"] == list(AUGMENTATIONS)
    assert "pattern" in chain


def test_chain_kinds_are_the_registry_entries_kinds():
    assert {name: spec.kind for name, spec in AUGMENTATIONS.items()} == KINDS
    assert len(AUGMENTATIONS) >= 20


class Invert(torch.nn.Module):
    def forward(self, images):
        return 1.0 - images


def test_registered_batch_steps_run_after_basic(monkeypatch):
    invert = AugmentationSpec("invert", batch_steps=lambda masking: Invert())
    monkeypatch.setitem(augment.registry.AUGMENTATIONS, "invert", invert)
    ramp = torch.linspace(0, 1, 8).expand(2, 3, 8, 8)
    out = batch_transform("invert", hflip=1.0, rotation=0.0)(ramp)
    assert torch.equal(out, 1.0 - ramp.flip(-1))  # mirrored by basic, then inverted
    assert batch_augment("invert", 3) is None and not requires_saliency("invert")


def test_a_registered_batch_mix_gets_the_request(monkeypatch):
    seen = []

    def build(request: MixRequest):
        seen.append(request)
        return lambda images, labels: (images.flip(0), labels)

    swap = AugmentationSpec("swap", batch_mix=build, needs_saliency=True)
    monkeypatch.setitem(augment.registry.AUGMENTATIONS, "swap", swap)
    with pytest.raises(ValueError, match="'swap' needs a saliency_fn"):
        batch_augment("swap", 4)
    saliency_fn = torch.ones_like
    mix = batch_augment("swap", 4, saliency_fn, alpha=0.3, grid=5, top_k=2)
    assert seen == [MixRequest(4, saliency_fn, 0.3, 5, 2, augment.masking_defaults())]
    images, _ = mix(torch.arange(3.0), torch.arange(3))
    assert images.tolist() == [2.0, 1.0, 0.0]
    assert requires_saliency("swap") and get_augmentation("swap").is_batch_mix


def test_unknown_name_names_every_choice():
    with pytest.raises(ValueError, match="unknown augmentation 'sharpen'; choose one of: basic, "):
        get_augmentation("sharpen")
