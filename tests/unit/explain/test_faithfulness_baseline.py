"""The blur baseline removes information at the prepared size: on a model whose evidence is a
planted patch, a correct map's deletion AUC lies well below its insertion AUC."""

import functools

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.transforms.v2 import functional as TF

from proxy_attention.explain.faithfulness import blur_baseline, blur_sigma, faithfulness_report

NATIVE, SIZE = 8, 64  # published at 8 px and upscaled 8x, like the digits at 128 px
ROWS, COLS = slice(16, 32), slice(40, 56)  # the planted patch: 2x2 native pixels


class PatchModel(nn.Module):
    """Class 1 exactly when the planted patch is bright: its evidence is known."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        logit = 12.0 * (images[:, :, ROWS, COLS].mean(dim=(1, 2, 3)) - 0.6)
        return torch.stack([-logit, logit], dim=1)


def planted_images(count: int = 8) -> torch.Tensor:
    native = 0.3 * torch.rand(count, 3, NATIVE, NATIVE, generator=torch.Generator().manual_seed(0))
    native[:, :, 2:4, 5:7] = 1.0
    return F.interpolate(native, size=(SIZE, SIZE), mode="bilinear", align_corners=False)


def scores(maps: torch.Tensor, baseline) -> dict[str, torch.Tensor]:
    images = planted_images(len(maps))
    targets = torch.ones(len(images), dtype=torch.long)
    return faithfulness_report(PatchModel(), images, targets, maps, 16, baseline, 64)


def correct_maps(count: int = 8) -> torch.Tensor:
    maps = torch.zeros(count, SIZE, SIZE)
    maps[:, ROWS, COLS] = 1.0
    return maps


def random_maps(count: int = 8) -> torch.Tensor:
    return torch.rand(count, SIZE, SIZE, generator=torch.Generator().manual_seed(1))


def test_the_sigma_is_two_native_pixels_at_least_and_rises_at_full_resolution():
    assert blur_sigma(128, 8) == pytest.approx(32.0)  # the digits: one 8 px pixel is 16 px
    assert blur_sigma(224) == pytest.approx(5.0)  # RISE's own setting
    assert blur_sigma(64, 32) == pytest.approx(4.0)  # CIFAR at 64 px
    assert blur_sigma(128, 512) == blur_sigma(128)  # downscaled images keep the prepared scale


def test_a_blur_at_the_prepared_size_keeps_the_evidence_so_deletion_equals_insertion():
    """The fault of the default build, reproduced: RISE's sigma scaled to 64 px (1.4 px, the old
    default) leaves a 16 px patch intact."""
    report = scores(correct_maps(), lambda images: TF.gaussian_blur(images, [5, 5], [1.43, 1.43]))
    assert report["baseline_confidence"].mean() > 0.9 * report["confidence"].mean()
    gap = report["insertion_auc"] - report["deletion_auc"]
    assert gap.abs().max() < 0.1


def test_a_blur_at_the_native_size_lets_a_correct_map_discriminate():
    baseline = functools.partial(blur_baseline, native_size=NATIVE)
    correct = scores(correct_maps(), baseline)
    assert correct["baseline_confidence"].mean() < 0.5 * correct["confidence"].mean()
    assert (correct["deletion_auc"] < correct["insertion_auc"] - 0.5).all()
    random = scores(random_maps(), baseline)
    gap = (random["insertion_auc"] - random["deletion_auc"]).mean()
    assert abs(gap) < 0.1
    assert correct["deletion_auc"].mean() < random["deletion_auc"].mean() - 0.3
    assert correct["insertion_auc"].mean() > random["insertion_auc"].mean() + 0.2
