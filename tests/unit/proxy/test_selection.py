"""Which training images get a proxy, on worked values: how many for a fraction, which ones
each order picks (ties included), and which images a known model misclassifies."""

import numpy as np
import pytest
import torch
from torch import nn

from proxy_attention.data.views import ImageStore
from proxy_attention.proxy.selection import choose_subset, find_misclassified


@pytest.mark.parametrize(
    ("count", "fraction", "kept"),
    [(10, 0.3, 3), (10, 0.25, 2), (10, 0.35, 4), (10, 0.04, 1), (10, 1.0, 10), (7, 0.5, 4)],
)
def test_a_fraction_keeps_the_rounded_share_and_at_least_one(count, fraction, kept):
    # Python rounds halves to even: 2.5 -> 2, 3.5 -> 4; a fraction too small still keeps one.
    losses = np.arange(count, dtype=np.float32)
    for order in ("random", "hardest"):
        chosen = choose_subset(count, fraction, order, losses, np.random.default_rng(0))
        assert len(chosen) == kept and len(set(chosen.tolist())) == kept
        assert chosen.min() >= 0 and chosen.max() < count


def test_no_candidates_choose_nothing():
    assert choose_subset(0, 0.5, "hardest", np.zeros(0), np.random.default_rng(0)).size == 0


def test_hardest_takes_the_highest_losses_first():
    losses = np.array([0.3, 2.0, 0.1, 1.5, 0.7])
    chosen = choose_subset(5, 0.6, "hardest", losses, np.random.default_rng(0))
    assert chosen.tolist() == [1, 3, 4]  # losses 2.0, 1.5, 0.7


def test_hardest_breaks_ties_by_the_earlier_candidate():
    losses = np.array([1.0, 5.0, 1.0, 1.0])
    rng = np.random.default_rng(0)
    assert choose_subset(4, 0.5, "hardest", losses, rng).tolist() == [1, 0]
    assert choose_subset(4, 0.75, "hardest", losses, rng).tolist() == [1, 0, 2]


def test_random_is_sorted_and_fixed_by_the_seed_alone():
    losses = np.array([9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    draws = [choose_subset(10, 0.3, "random", losses, np.random.default_rng(s)) for s in range(8)]
    assert all(d.tolist() == sorted(d.tolist()) for d in draws)
    again = choose_subset(10, 0.3, "random", losses, np.random.default_rng(3))
    assert again.tolist() == draws[3].tolist()
    assert len({tuple(d.tolist()) for d in draws}) > 1  # seeds differ, draws differ
    assert not all(0 in d for d in draws)  # the loss plays no part


def test_an_unknown_order_is_refused():
    with pytest.raises(ValueError, match="unknown selection order 'easiest'"):
        choose_subset(4, 0.5, "easiest", np.zeros(4), np.random.default_rng(0))


class Brightness(nn.Module):
    """Class 0 for a bright image, 1 for a dark one, logits ±10 at the extremes; in training
    mode it answers the opposite, so a wrong mode shows in the result."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        bright = images.mean(dim=(1, 2, 3))
        logits = torch.stack([10 * bright, 10 * (1 - bright)], dim=1)
        return -logits if self.training else logits


def test_misclassified_are_the_wrong_ones_with_their_loss_and_prediction():
    levels = np.array([255, 0, 255, 0, 255, 0], dtype=np.uint8)
    images = np.broadcast_to(levels[:, None, None, None], (6, 2, 2, 3)).copy()
    labels = np.array([0, 0, 1, 1, 0, 0])  # wrong: 1 (dark, says 1) and 2 (bright, says 0)
    model = Brightness().train()
    found, losses, predicted = find_misclassified(
        model, ImageStore(images, labels), np.array([0, 1, 2, 3, 4]), 2, torch.device("cpu")
    )
    assert found.tolist() == [1, 2] and predicted.tolist() == [1, 0]
    # logits (0, 10) against label 0: log(1 + e^10)
    np.testing.assert_allclose(losses, [np.log1p(np.exp(10.0))] * 2, rtol=1e-6)
    assert model.training  # the caller's mode is given back


def test_a_model_right_everywhere_leaves_no_candidates():
    images = np.full((3, 2, 2, 3), 255, dtype=np.uint8)
    found, losses, predicted = find_misclassified(
        Brightness(), ImageStore(images, np.zeros(3, int)), np.arange(3), 8, torch.device("cpu")
    )
    assert found.size == losses.size == predicted.size == 0
