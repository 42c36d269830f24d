"""Puzzle Mix: the output is its formula z Pi1^T x1 + (1 - z) Pi2^T x2 for the mask and
transport it chose, lambda = mean(z); the mask follows saliency; the graph cut minimises its
energy; transport moves salient blocks into the region an image keeps."""

from itertools import product

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from proxy_attention.augment import batch_augment
from proxy_attention.augment.mixing import sample_lambda
from proxy_attention.augment.puzzle_mix import (
    PuzzleSettings,
    block_numbers,
    graphcut_multi,
    mask_transport,
    puzzle_mix,
    transport_image,
)

SETTINGS = PuzzleSettings()


def moved_by_loops(images: torch.Tensor, plan: torch.Tensor, blocks: int) -> torch.Tensor:
    """Pi^T x block by block: block i of the image lands on block j where plan[i, j] = 1."""
    size = images.shape[-1] // blocks
    out = torch.zeros_like(images)
    for b, i, j in zip(*torch.nonzero(plan, as_tuple=True), strict=True):
        (ri, ci), (rj, cj) = divmod(int(i), blocks), divmod(int(j), blocks)
        source = images[b, :, ri * size : (ri + 1) * size, ci * size : (ci + 1) * size]
        out[b, :, rj * size : (rj + 1) * size, cj * size : (cj + 1) * size] = source
    return out


def halves(count: int = 4) -> torch.Tensor:
    """Even images salient on their left half, odd ones on their right half."""
    maps = torch.zeros(count, 32, 32)
    maps[0::2, :, :16] = 1.0
    maps[1::2, :, 16:] = 1.0
    return maps


def test_the_output_is_the_formula_for_the_chosen_mask_and_transport():
    torch.manual_seed(0)
    images, maps = torch.rand(4, 3, 32, 32), torch.rand(4, 32, 32) ** 4
    for block_num in block_numbers(32, SETTINGS):
        mixed, weight, choice = puzzle_mix(images, maps, 0.4, block_num, SETTINGS)
        t_blocks = choice.mask.shape[-1]
        z = F.interpolate(choice.mask, size=32)
        moved = moved_by_loops(images, choice.plan, t_blocks)
        partner_moved = moved_by_loops(images.roll(1, 0), choice.partner_plan, t_blocks)
        assert torch.allclose(mixed, z * moved + (1 - z) * partner_moved, atol=1e-6)
        assert torch.allclose(weight, choice.mask.flatten(1).mean(1))
        for plan in (choice.plan, choice.partner_plan):  # each block goes to at most one place
            assert (plan.sum(-1) <= 1).all() and (plan.sum(-2) <= 1).all()


def test_the_label_weight_is_the_mean_of_the_mask():
    torch.manual_seed(1)
    mix = batch_augment("puzzlemix", 4, lambda images, classes: halves())
    images, labels = torch.rand(4, 3, 32, 32), torch.tensor([0, 1, 2, 3])
    _, targets = mix(images, labels)
    torch.manual_seed(1)
    # The same draws again, by hand: the block count, then alpha, then the mix.
    choices = block_numbers(32, SETTINGS)
    block_num = choices[int(torch.randint(len(choices), ()))]
    alpha = sample_lambda(1.0)
    _, weight, _ = puzzle_mix(images, halves(), alpha, block_num, SETTINGS)
    assert torch.allclose(targets[torch.arange(4), labels], weight)
    assert torch.allclose(targets[torch.arange(4), labels.roll(1)], 1 - weight)


def test_each_image_keeps_its_salient_half():
    images = torch.rand(4, 3, 32, 32)
    _, weight, choice = puzzle_mix(images, halves(), 0.5, 4, SETTINGS)
    z = choice.mask[:, 0]
    half = z.shape[-1] // 2
    assert (z[0::2, :, :half] == 1).all() and (z[0::2, :, half:] == 0).all()
    assert (z[1::2, :, half:] == 1).all() and (z[1::2, :, :half] == 0).all()
    assert torch.allclose(weight, torch.full((4,), 0.5))


def test_transport_moves_a_salient_block_into_the_kept_region():
    # 2 x 2 blocks; the image keeps its left column (z = 1) and its evidence is top right.
    mask = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
    saliency = torch.tensor([[[0.0, 1.0], [0.0, 0.0]]])
    plan = mask_transport(mask, saliency, eps=0.8)
    assert plan[0, 1, 0] == 1  # top right -> top left, the nearest kept block
    images = torch.rand(1, 3, 8, 8)
    moved = transport_image(images, plan, 2)
    assert torch.equal(moved[0, :, :4, :4], images[0, :, :4, 4:])
    assert torch.equal(moved, moved_by_loops(images, plan, 2))


def cut_energy(z, u1, u2, pw_x, pw_y, prior, beta, large):
    """The energy gco minimises, in its integer costs: z is the first image's share per block
    (the cut's label is 1 - z); unary from graphcut_multi, label changes weighted per edge."""
    rows, cols = z.shape
    unary = sum(
        int(large * (z[r, c] * u1[r, c] + (1 - z[r, c]) * u2[r, c] + prior[int(1 - z[r, c])]))
        for r in range(rows)
        for c in range(cols)
    )
    vertical = sum(
        int(large * (pw_x[r, c] + beta)) * (z[r, c] - z[r + 1, c]) ** 2
        for r in range(rows - 1)
        for c in range(cols)
    )
    horizontal = sum(
        int(large * (pw_y[r, c] + beta)) * (z[r, c] - z[r, c + 1]) ** 2
        for r in range(rows)
        for c in range(cols - 1)
    )
    return unary + vertical + horizontal


@pytest.mark.parametrize("seed", range(5))
def test_the_graph_cut_minimises_its_energy_on_a_small_grid(seed):
    rng = np.random.default_rng(seed)
    u1, u2 = rng.random((2, 3, 3)) / 9
    pw_x, pw_y = rng.random((3, 3))[:2] * 0.01, rng.random((3, 3))[:, :2] * 0.01
    alpha, beta, eta = 0.5, 0.02, 0.2
    mask = graphcut_multi(u1, u2, pw_x, pw_y, alpha, beta, eta, n_labels=2)
    prior = eta * -np.log(np.array([alpha, 1 - alpha]) + 1e-8) / 9
    terms = (u1, u2, pw_x, pw_y, prior, beta, 1000 * 9)
    labelings = (np.array(z, dtype=float).reshape(3, 3) for z in product([0, 1], repeat=9))
    best = min(cut_energy(z, *terms) for z in labelings)
    assert cut_energy(mask, *terms) == best
