"""The batched transforms against torchvision's per-sample ones: the same distributions (flip
rate, rotation angle, erased area, over many draws) and, for flip and rotation, the same pixels."""

import math

import numpy as np
import torch
from scipy import stats
from torchvision.transforms import v2

from proxy_attention.augment.batched import basic_batch, random_erasing

DRAWS = 400


def _per_sample(transform, images: torch.Tensor) -> torch.Tensor:
    return torch.stack([transform(image) for image in images])


def _dot_angles(images: torch.Tensor) -> np.ndarray:
    """The angle (degrees, counter-clockwise) of each image's bright blob about the centre."""
    _, _, h, w = images.shape
    centred_rows, centred_cols = torch.arange(h) - (h - 1) / 2, torch.arange(w) - (w - 1) / 2
    rows, cols = torch.meshgrid(centred_rows, centred_cols, indexing="ij")
    mass = images[:, 0]
    y = (mass * rows).sum((1, 2)) / mass.sum((1, 2))
    x = (mass * cols).sum((1, 2)) / mass.sum((1, 2))
    return np.degrees(np.arctan2(-y.numpy(), x.numpy()))


def test_rotation_angles_match_torchvision_per_sample():
    dot = torch.zeros(DRAWS, 3, 41, 41)
    dot[:, :, 19:22, 34:37] = 1.0  # a 3 px blob 15 px right of the centre: angle 0
    torch.manual_seed(0)
    batched = _dot_angles(basic_batch(hflip=0.0, rotation=10.0)(dot))
    torch.manual_seed(1)
    per_sample = _dot_angles(_per_sample(v2.RandomRotation(10.0), dot))
    for angles in (batched, per_sample):
        assert angles.min() >= -10.5 and angles.max() <= 10.5  # nearest pixels: half a degree
        assert angles.min() < -8 and angles.max() > 8  # the whole range is used
    # Nearest-pixel rendering quantises the measured angle alike on both paths.
    assert stats.ks_2samp(batched, per_sample).pvalue > 0.01


def test_flip_rate_matches_torchvision_per_sample():
    ramp = torch.linspace(0, 1, 8).expand(DRAWS, 3, 8, 8).contiguous()
    torch.manual_seed(0)
    batched = basic_batch(hflip=0.3, rotation=0.0)(ramp)
    per_sample = _per_sample(v2.RandomHorizontalFlip(0.3), ramp)
    flipped = [int((out[:, 0, 0, 0] == 1.0).sum()) for out in (batched, per_sample)]
    for count in flipped:
        assert stats.binomtest(count, DRAWS, 0.3).pvalue > 0.001
    table = [[flipped[0], DRAWS - flipped[0]], [flipped[1], DRAWS - flipped[1]]]
    assert stats.fisher_exact(table).pvalue > 0.01


def test_erased_area_matches_torchvision_per_sample():
    white = torch.ones(DRAWS, 3, 32, 32)
    torch.manual_seed(0)
    batched = (random_erasing()(white) == 0).all(1).float().mean((1, 2)).numpy()
    torch.manual_seed(1)
    reference = v2.RandomErasing(value=0)
    per_sample = (_per_sample(reference, white) == 0).all(1).float().mean((1, 2)).numpy()
    for areas in (batched, per_sample):
        erased = areas[areas > 0]
        assert stats.binomtest(len(erased), DRAWS, 0.5).pvalue > 0.001
        assert erased.min() >= 0.02 - 1 / 32 and erased.max() <= 0.33 + 2 / 32
    assert stats.ks_2samp(batched[batched > 0], per_sample[per_sample > 0]).pvalue > 0.01
    mean_area = [areas[areas > 0].mean() for areas in (batched, per_sample)]
    assert math.isclose(*mean_area, abs_tol=0.03)


def test_flip_and_rotation_equal_torchvision_per_image_for_the_parameters_drawn():
    """Same draws from the global generator (B flips, then B angles): every image equals
    torchvision's flip and rotate, pixel for pixel, on square and non-square images."""
    from torchvision.transforms.v2 import functional as TF

    for shape in [(6, 3, 33, 33), (6, 3, 20, 28)]:
        images = torch.rand(shape)
        torch.manual_seed(1)
        batched = basic_batch(hflip=0.5, rotation=10.0)(images)
        torch.manual_seed(1)
        flips, angles = torch.rand(6) < 0.5, torch.empty(6).uniform_(-10.0, 10.0)
        assert 0 < int(flips.sum()) < 6
        for image, out, flip, angle in zip(images, batched, flips, angles, strict=True):
            expected = TF.rotate(image.flip(-1) if flip else image, float(angle))
            assert torch.equal(out, expected)
