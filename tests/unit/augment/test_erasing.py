"""What defines each erasing augmentation, on known inputs: GridMask's kept fraction,
Hide-and-Seek's hiding probability and mean fill, CowMask erasure's kept share and fill."""

import pytest
import torch
from scipy.stats import binomtest

from proxy_attention.augment.erasing import CowMaskErase, GridMask, HideAndSeek


def test_gridmask_keeps_one_minus_the_dropped_squares():
    torch.manual_seed(0)
    ones = torch.ones(16, 3, 32, 32)
    # Period 8 px (a quarter of 32): a kept stripe of round(0.6 * 8) = 5, dropped squares 3 x 3.
    out = GridMask(ratio=0.6, period=(0.25, 0.25), p=1.0)(ones)
    kept = out[:, 0].flatten(1).mean(1)
    assert torch.equal(kept, torch.full((16,), 1 - (3 / 8) ** 2))
    assert set(out.unique().tolist()) == {0.0, 1.0}
    # The dropped squares are evenly spaced: every 8th row repeats the pattern.
    assert torch.equal(out[:, :, :8], out[:, :, 8:16])


def test_gridmask_with_p_zero_keeps_every_image():
    images = torch.rand(4, 3, 32, 32)
    assert torch.equal(GridMask(0.6, (0.43, 1.0), p=0.0)(images), images)


def _hidden_cells(images: torch.Tensor, out: torch.Tensor, grid: int) -> torch.Tensor:
    changed = (out != images).any(1)  # random floats: a hidden pixel differs from its original
    b, h, w = changed.shape
    return changed.view(b, grid, h // grid, grid, w // grid).any(4).any(2)


def test_hide_and_seek_hides_each_cell_with_probability_p():
    torch.manual_seed(1)
    images = torch.rand(2000, 3, 8, 8)
    hidden = _hidden_cells(images, HideAndSeek(grid=4, p=0.3)(images), 4)
    count, trials = int(hidden.sum()), hidden.numel()
    assert binomtest(count, trials, 0.3).pvalue > 1e-3
    assert binomtest(count, trials, 0.33).pvalue < 1e-3  # the test tells 0.3 from 0.33
    for cell in hidden.flatten(1).T:  # every cell position alike
        assert binomtest(int(cell.sum()), len(cell), 0.3).pvalue > 1e-4


def test_hide_and_seek_fills_hidden_cells_with_the_mean_pixel():
    torch.manual_seed(2)
    images = torch.rand(64, 3, 8, 8)
    out = HideAndSeek(grid=2, p=0.5)(images)
    hidden = (out != images).any(1)
    mean = images.mean((0, 2, 3))
    assert hidden.any()
    assert torch.equal(out.permute(0, 2, 3, 1)[hidden], mean.expand(int(hidden.sum()), 3))


@pytest.mark.parametrize("proportion", [0.25, 0.6])
def test_cowmask_erasure_keeps_its_proportion_and_fills_the_mean(proportion):
    torch.manual_seed(3)
    images = torch.rand(256, 3, 32, 32)
    out = CowMaskErase(sigma=(0.125, 0.125), proportion=(proportion, proportion))(images)
    kept = (out == images).all(1).flatten(1).float().mean(1)
    # The threshold is the p-quantile of a normal fitted to each mask's noise: the kept share
    # is p on average (its std, from correlated pixels, errs low as sigma grows, as in the
    # official code, so sigma is small here).
    assert abs(float(kept.mean()) - proportion) < 0.02
    erased = ~(out == images).all(1)
    mean = images.mean((0, 2, 3)).expand(int(erased.sum()), 3)
    assert torch.allclose(out.permute(0, 2, 3, 1)[erased], mean)


def test_cowmasks_are_smooth_blobs_not_salt_and_pepper():
    torch.manual_seed(4)
    images = torch.rand(64, 3, 32, 32)
    kept = (CowMaskErase((0.25, 0.25), (0.5, 0.5))(images) == images).all(1).float()
    # Neighbouring pixels agree far more often than the 50 % of independent pixels.
    agree = (kept[:, :, 1:] == kept[:, :, :-1]).float().mean()
    assert agree > 0.9
