"""Batch mixes: label weights equal the fraction of pixels actually taken from the partner."""

import pytest
import torch

from proxy_attention.augment import batch_augment
from proxy_attention.augment.saliency_mixing import attentive_cutmix, saliency_mix

NUM_CLASSES = 5


def _alternating(b: int = 4, size: int = 10) -> torch.Tensor:
    """Even images all 0, odd images all 1: every image differs from its partner everywhere."""
    values = (torch.arange(b) % 2).float()
    return values.view(b, 1, 1, 1).expand(b, 3, size, size).clone()


def _labels(b: int = 4) -> torch.Tensor:
    return torch.arange(b) % NUM_CLASSES


def _taken_fraction(mixed: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    return (mixed != images).all(1).flatten(1).float().mean(1)


def _check_targets(targets, labels, weight):
    b = labels.shape[0]
    assert targets.shape == (b, NUM_CLASSES) and targets.dtype == torch.float32
    partner = labels.roll(1, 0)
    torch.testing.assert_close(targets[torch.arange(b), partner], weight)
    torch.testing.assert_close(targets[torch.arange(b), labels], 1 - weight)
    torch.testing.assert_close(targets.sum(1), torch.ones(b))


def test_cutmix_label_weight_is_pasted_fraction():
    mix = batch_augment("cutmix", NUM_CLASSES)
    images, labels = _alternating(), _labels()
    fractions = []
    for seed in range(5):
        torch.manual_seed(seed)
        mixed, targets = mix(images, labels)
        weight = _taken_fraction(mixed, images)
        _check_targets(targets, labels, weight)
        fractions.append(weight[0].item())
    assert any(0 < f < 1 for f in fractions)


def test_mixup_targets_are_the_convex_combination_of_the_images():
    mix = batch_augment("mixup", NUM_CLASSES, alpha=0.4)
    values = torch.tensor([0.1, 0.5, 0.9, 0.3])
    images = values.view(4, 1, 1, 1).expand(4, 3, 6, 6).clone()
    labels = _labels()
    torch.manual_seed(0)
    mixed, targets = mix(images, labels)
    # mixed_i = lam * v_i + (1 - lam) * v_{i-1}: recover lam per image, it must be shared.
    lam = (mixed[:, 0, 0, 0] - values.roll(1)) / (values - values.roll(1))
    torch.testing.assert_close(lam, lam[:1].expand(4))
    assert 0 < lam[0] < 1
    _check_targets(targets, labels, 1 - lam)
    assert torch.allclose(mixed, mixed[:, :1, :1, :1].expand_as(mixed))


def test_saliency_mix_centres_patch_on_partner_peak_and_clips():
    images, labels = _alternating(b=2), _labels(2)
    maps = torch.zeros(2, 10, 10)
    maps[1, 2, 7] = 1.0  # partner of image 0 is image 1
    maps[0, 9, 0] = 1.0  # partner of image 1 is image 0: a corner peak, the patch is clipped
    mixed, targets = saliency_mix(images, labels, maps, NUM_CLASSES, lam=0.75)  # side 5
    expected = images.clone()
    expected[0, :, 0:5, 5:10] = 1.0  # rows 2-2..2+2, cols 7-2..7+2
    expected[1, :, 7:10, 0:3] = 0.0  # rows 7..11 and cols -2..2 clipped to the image
    torch.testing.assert_close(mixed, expected)
    _check_targets(targets, labels, torch.tensor([25 / 100, 9 / 100]))


def test_saliencymix_augment_follows_saliency_fn():
    images, labels = _alternating(b=4, size=12), _labels()
    peaks = [(3, 3), (8, 2), (5, 10), (11, 11)]

    def saliency_fn(x):
        maps = torch.rand(x.shape[0], 12, 12) * 0.5
        for i, (r, c) in enumerate(peaks):
            maps[i, r, c] = 1.0
        return maps

    mix = batch_augment("saliencymix", NUM_CLASSES, saliency_fn=saliency_fn)
    for seed in range(4):
        torch.manual_seed(seed)
        mixed, targets = mix(images, labels)
        weight = _taken_fraction(mixed, images)
        _check_targets(targets, labels, weight)
        taken = (mixed != images).all(1)
        for i in range(4):
            r, c = peaks[i - 1]
            assert taken[i].sum() == 0 or taken[i, r, c]


def test_attentive_cutmix_takes_top_cells_by_mass():
    images, labels = _alternating(b=2, size=14), _labels(2)
    maps = torch.full((2, 14, 14), 0.01)
    # Image 1 (partner of image 0): cell (3,5) has one strong pixel, cells (0,0) and (6,6) have
    # more total mass spread over their four pixels, cell (2,2) has the most.
    maps[1, 6, 10] = 1.0
    maps[1, 0:2, 0:2] = 0.4
    maps[1, 12:14, 12:14] = 0.3
    maps[1, 4:6, 4:6] = 0.9
    maps[0, 0:2, 12:14] = 1.0  # partner of image 1: cell (0,6) only stands out
    mixed, targets = attentive_cutmix(images, labels, maps, NUM_CLASSES, grid=7, top_k=3)
    taken = (mixed != images).all(1)
    cells = taken.view(2, 7, 2, 7, 2).all(4).all(2)
    assert set(map(tuple, cells[0].nonzero().tolist())) == {(2, 2), (0, 0), (6, 6)}
    assert cells[1, 0, 6]
    assert taken.flatten(1).sum(1).tolist() == [12, 12]  # whole cells only
    _check_targets(targets, labels, torch.full((2,), 3 / 49))


def test_attentive_cutmix_uneven_grid_weight_is_measured_fraction():
    images, labels = _alternating(b=2, size=10), _labels(2)
    maps = torch.zeros(2, 10, 10)
    maps[:, 0, 0] = 1.0
    mixed, targets = attentive_cutmix(images, labels, maps, NUM_CLASSES, grid=3, top_k=1)
    # 10 rows over 3 cells: the first cell is 4 x 4 pixels.
    torch.testing.assert_close(_taken_fraction(mixed, images), torch.full((2,), 0.16))
    _check_targets(targets, labels, torch.full((2,), 0.16))


def test_attentive_cutmix_augment_default_grid():
    images, labels = _alternating(b=4, size=14), _labels()
    mix = batch_augment(
        "attentive_cutmix", NUM_CLASSES, saliency_fn=lambda x: torch.rand(4, 14, 14)
    )
    mixed, targets = mix(images, labels)
    weight = _taken_fraction(mixed, images)
    torch.testing.assert_close(weight, torch.full((4,), 6 / 49))
    _check_targets(targets, labels, weight)


def test_saliency_mixes_need_saliency_fn_and_matching_maps():
    with pytest.raises(ValueError, match="saliency_fn"):
        batch_augment("saliencymix", NUM_CLASSES)
    mix = batch_augment("attentive_cutmix", NUM_CLASSES, saliency_fn=lambda x: torch.rand(4, 7, 7))
    with pytest.raises(ValueError, match="shape"):
        mix(_alternating(size=14), _labels())
