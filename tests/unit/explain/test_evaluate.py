"""Faithfulness over an evaluation set: batches, targets, and the saliency hook."""

import pytest
import torch
from torch import nn

from proxy_attention.explain import faithfulness_report
from proxy_attention.explain.evaluate import explanation_scores, summarise


class TopLeftVsRest(nn.Module):
    """Class 0 from the top-left quarter's brightness, class 1 from the rest of the image."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        h, w = images.shape[-2] // 2, images.shape[-1] // 2
        top_left = images[..., :h, :w].mean(dim=(1, 2, 3))
        rest = (images.sum(dim=(1, 2, 3)) - top_left * 3 * h * w) / (images[0].numel() - 3 * h * w)
        return 10 * torch.stack([top_left, rest], dim=1)


def _top_left_maps(model, images, targets, method):
    assert method == "oracle"
    maps = torch.zeros(images.shape[0], *images.shape[2:])
    maps[:, : images.shape[2] // 2, : images.shape[3] // 2] = 1.0
    # The true evidence of class 1 is everything but the top-left quarter.
    return torch.where(targets.view(-1, 1, 1) == 0, maps, 1 - maps)


def test_scores_cover_all_batches_and_use_the_predicted_class() -> None:
    gen = torch.Generator().manual_seed(0)
    images = 0.2 * torch.rand(6, 3, 8, 8, generator=gen)
    images[:3, :, :4, :4] = 1.0  # the first three are class 0, the others class 1
    labels = torch.tensor([1, 1, 1, 0, 0, 0])  # deliberately wrong labels
    model = TopLeftVsRest()
    batches = [(images[:4], labels[:4]), (images[4:], labels[4:])]
    scores = explanation_scores(
        model, batches, "oracle", steps=4, baseline=0.0, saliency_fn=_top_left_maps
    )
    assert scores["target"].tolist() == [0, 0, 0, 1, 1, 1]
    whole = faithfulness_report(
        model,
        images,
        scores["target"],
        _top_left_maps(None, images, scores["target"], "oracle"),
        steps=4,
        baseline=0.0,
    )
    for key, value in whole.items():
        torch.testing.assert_close(scores[key], value)
    summary = summarise(scores)
    assert set(summary) == set(whole)
    assert summary["deletion_auc"] == pytest.approx(whole["deletion_auc"].mean().item())
    # Explaining the (wrong) labels instead scores the same oracle maps for the other class.
    true = explanation_scores(
        model, batches, "oracle", steps=4, baseline=0.0, target="true", saliency_fn=_top_left_maps
    )
    assert true["target"].tolist() == labels.tolist()
    assert summary["insertion_auc"] > summarise(true)["insertion_auc"]


def test_unknown_target_and_empty_input_are_refused() -> None:
    with pytest.raises(ValueError, match="target"):
        explanation_scores(
            TopLeftVsRest(), [], "oracle", target="label", saliency_fn=_top_left_maps
        )
    with pytest.raises(ValueError, match="no images"):
        explanation_scores(TopLeftVsRest(), [], "oracle", saliency_fn=_top_left_maps)
