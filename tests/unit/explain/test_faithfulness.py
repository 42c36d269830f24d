"""Faithfulness metrics on constructed models whose evidence, and so whose answers, are known."""

import pytest
import torch
from torch import nn

from proxy_attention.explain import (
    confidence_change,
    deletion_auc,
    faithfulness_report,
    insertion_auc,
    perturbation_curve,
    removal_rank,
    step_counts,
)


class MeanProbability(nn.Module):
    """Class 0 has probability equal to the mean pixel value; class 1 the rest."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        p = images.mean(dim=(1, 2, 3)).clamp(1e-12, 1 - 1e-12)
        return torch.stack([p.log(), (1 - p).log()], dim=1)


class RegionBrightness(nn.Module):
    """Class 0's logit grows with the brightness of the top-left quarter; class 1 is constant."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        h, w = images.shape[-2] // 2, images.shape[-1] // 2
        evidence = images[..., :h, :w].mean(dim=(1, 2, 3))
        return torch.stack([20 * (evidence - 0.5), torch.zeros_like(evidence)], dim=1)


class RegionTexture(nn.Module):
    """Class 0's logit grows with the pixel-to-pixel contrast in the top-left quarter."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        h, w = images.shape[-2] // 2, images.shape[-1] // 2
        region = images[..., :h, :w]
        evidence = (region[..., 1:] - region[..., :-1]).abs().mean(dim=(1, 2, 3))
        return torch.stack([20 * (evidence - 0.3), torch.zeros_like(evidence)], dim=1)


def _graded_image() -> torch.Tensor:
    """A 4x4 image with four pixels each of 1, 0.5, 0.25 and 0 (mean 7/16)."""
    values = torch.tensor([1.0, 0.5, 0.25, 0.0]).repeat_interleave(4)
    perm = torch.tensor([5, 0, 12, 3, 9, 14, 1, 7, 2, 11, 6, 15, 8, 4, 13, 10])
    return values[perm].view(1, 1, 4, 4).expand(1, 3, 4, 4).clone()


def test_step_counts_and_tie_breaking() -> None:
    assert step_counts(16, 4).tolist() == [0, 4, 8, 12, 16]
    assert step_counts(16, 3).tolist() == [0, 5, 10, 16]
    maps = torch.tensor([[[0.5, 0.9], [0.5, 0.1]]])
    assert removal_rank(maps).tolist() == [[1, 0, 2, 3]]
    with pytest.raises(ValueError, match="steps"):
        step_counts(16, 0)


def test_auc_of_a_probability_linear_in_the_kept_pixels() -> None:
    image = _graded_image()
    maps, target = image[:, 0], torch.tensor([0])
    model = MeanProbability()
    # Deletion keeps sums 7, 3, 1, 0, 0 (of 16) at fractions 0, 1/4, ... 1.
    fractions, probs = perturbation_curve(model, image, maps, target, steps=4, baseline=0.0)
    assert fractions.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert probs[0].tolist() == pytest.approx([7 / 16, 3 / 16, 1 / 16, 0, 0], abs=1e-6)
    assert deletion_auc(model, image, maps, target, steps=4, baseline=0.0).item() == pytest.approx(
        0.25 * (7 / 32 + 3 / 16 + 1 / 16), abs=1e-6
    )
    # Insertion shows sums 0, 4, 6, 7, 7.
    assert insertion_auc(model, image, maps, target, steps=4, baseline=0.0).item() == pytest.approx(
        0.25 * (7 / 32 + 4 / 16 + 6 / 16 + 7 / 16), abs=1e-6
    )
    # Uneven steps: 5, 10, 16 pixels removed leave sums 2.5 and 0.5 at fractions 5/16, 10/16.
    expected = (5 * (7 + 2.5) + 5 * (2.5 + 0.5) + 6 * 0.5) / (2 * 16 * 16)
    assert deletion_auc(model, image, maps, target, steps=3, baseline=0.0).item() == pytest.approx(
        expected, abs=1e-6
    )


def test_average_drop_and_increase_in_confidence_by_hand() -> None:
    images = torch.full((2, 3, 4, 4), 0.8)
    maps = torch.full((2, 4, 4), 0.5)
    # Class 0: 0.8 -> 0.4, a drop of half. Class 1: 0.2 -> 0.6, no drop but an increase.
    scores = confidence_change(MeanProbability(), images, maps, torch.tensor([0, 1]))
    assert scores["average_drop"].tolist() == pytest.approx([0.5, 0.0], abs=1e-6)
    assert scores["increase_in_confidence"].tolist() == [0.0, 1.0]


def _region_case(texture: bool) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    gen = torch.Generator().manual_seed(0)
    images = 0.1 + 0.1 * torch.rand(4, 3, 16, 16, generator=gen)
    if texture:
        checker = (torch.arange(8)[:, None] + torch.arange(8)) % 2
        images[..., :8, :8] = checker.float()
    else:
        images[..., :8, :8] = 0.9
    region = torch.zeros(4, 16, 16)
    region[:, :8, :8] = 1.0
    maps = {
        "region": region,
        "random": torch.rand(4, 16, 16, generator=gen),
        "inverted": 1.0 - region,
    }
    return images, maps


@pytest.mark.parametrize(
    ("model", "baseline"), [(RegionBrightness(), 0.0), (RegionTexture(), "blur")]
)
def test_the_true_evidence_beats_random_and_inverted_maps(model: nn.Module, baseline) -> None:
    images, maps = _region_case(texture=isinstance(model, RegionTexture))
    targets = torch.zeros(4, dtype=torch.long)
    scores = {
        name: faithfulness_report(model, images, targets, m, steps=16, baseline=baseline)
        for name, m in maps.items()
    }
    deletion = {name: s["deletion_auc"].mean().item() for name, s in scores.items()}
    insertion = {name: s["insertion_auc"].mean().item() for name, s in scores.items()}
    # Measured: deletion 0.11/0.44/0.86 (brightness), 0.18/0.69/0.93 (texture); insertion mirrors.
    assert deletion["region"] < 0.25
    assert deletion["region"] + 0.15 < deletion["random"] < deletion["inverted"] - 0.15
    assert insertion["region"] > 0.8
    assert insertion["region"] - 0.15 > insertion["random"] > insertion["inverted"] + 0.15
    drop = {name: s["average_drop"].mean().item() for name, s in scores.items()}
    assert drop["region"] < 0.01 and drop["inverted"] > 0.9


def test_report_does_not_depend_on_chunking_and_matches_the_single_metrics() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 3),
    )
    model[1].running_mean.uniform_(-0.5, 0.5)
    model.train()
    images, maps = torch.rand(5, 3, 12, 12), torch.rand(5, 12, 12)
    targets = torch.tensor([0, 1, 2, 1, 0])
    reports = [
        faithfulness_report(model, images, targets, maps, steps=5, batch_size=size)
        for size in (1, 7, 1000)
    ]
    for other in reports[1:]:
        for key, value in reports[0].items():
            torch.testing.assert_close(other[key], value, atol=1e-6, rtol=1e-5)
    assert model.training, "the model's mode must be restored"
    single = {
        "deletion_auc": deletion_auc(model, images, maps, targets, steps=5, batch_size=3),
        "insertion_auc": insertion_auc(model, images, maps, targets, steps=5, batch_size=4),
        **confidence_change(model, images, maps, targets, batch_size=2),
    }
    for key, value in single.items():
        torch.testing.assert_close(reports[0][key], value, atol=1e-6, rtol=1e-5)
    # A map unrelated to the model must still give different AUCs from another map.
    other_maps = faithfulness_report(model, images, targets, 1 - maps, steps=5)
    assert not torch.allclose(other_maps["deletion_auc"], reports[0]["deletion_auc"])


def test_bad_inputs_are_refused() -> None:
    images, targets = torch.rand(2, 3, 4, 4), torch.tensor([0, 1])
    with pytest.raises(ValueError, match="maps"):
        deletion_auc(MeanProbability(), images, torch.rand(2, 5, 4), targets)
    with pytest.raises(ValueError, match="NaN"):
        deletion_auc(MeanProbability(), images, torch.full((2, 4, 4), float("nan")), targets)
    with pytest.raises(ValueError, match="baseline"):
        insertion_auc(MeanProbability(), images, torch.rand(2, 4, 4), targets, baseline="zeros")
