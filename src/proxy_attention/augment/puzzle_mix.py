"""Puzzle Mix (Kim et al. 2020): a saliency-aware mix with a graph-cut mask over blocks and an
optimal transport of each image's salient blocks into the region it keeps.

No installed library implements it; this follows the official code (snu-mllab/PuzzleMix,
mixup.py: mixup_graph, graphcut_multi, neigh_penalty, mask_transport, transport_image) with its
CIFAR settings, batched in torch except the graph cut, which the official code also solves per
image on the CPU with gco-wrapper. The saliency is the project's (saliency_fn, the true labels)
where the official code takes the loss gradient's norm; it is normalised per image all the same.
Left out: its optional adversarial noise and its clean-input loss term.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import gco
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from proxy_attention.augment.mixing import sample_lambda
from proxy_attention.augment.saliency_mixing import SaliencyFn, _check_maps


@dataclass(frozen=True)
class PuzzleSettings:
    """The official CIFAR command line: --n_labels 3 --eta 0.2 --beta 1.2 --gamma 0.5
    --neigh_size 4 --transport True --t_size 4 --t_eps 0.8, alpha ~ Beta(1, 1)."""

    n_labels: int = 3
    eta: float = 0.2  # weight of the prior towards the mixing ratio lambda
    beta: float = 1.2  # weight of the smoothness (label change) term
    gamma: float = 0.5  # weight of the data-dependent smoothness term
    neigh_size: int = 4  # pixels pooled to compare neighbouring blocks
    t_size: int = 4  # transport block side in pixels
    t_eps: float = 0.8  # weight of the transport distance


def neigh_penalty(input1: Tensor, input2: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """Mean absolute colour difference across each block border (the official neigh_penalty)."""
    pw_x = input1[:, :, :-1, :] - input2[:, :, 1:, :]
    pw_y = input1[:, :, :, :-1] - input2[:, :, :, 1:]
    pw_x = pw_x[:, :, k - 1 :: k, :]
    pw_y = pw_y[:, :, :, k - 1 :: k]
    pw_x = F.avg_pool2d(pw_x.abs().mean(1), kernel_size=(1, k))
    pw_y = F.avg_pool2d(pw_y.abs().mean(1), kernel_size=(k, 1))
    return pw_x, pw_y


def graph_terms(
    images: Tensor, partners: Tensor, unary1: Tensor, unary2: Tensor, block_num: int, beta: float,
    gamma: float, neigh_size: int,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:  # fmt: skip
    """The graph cut's unary costs of both images and its border weights (mixup_graph)."""
    k = (images.shape[-1] // block_num) // neigh_size
    pool1 = F.avg_pool2d(images, neigh_size)
    pool2 = F.avg_pool2d(partners, neigh_size)
    pairs = [(pool2, pool2), (pool2, pool1), (pool1, pool2), (pool1, pool1)]
    terms = [neigh_penalty(a, b, k) for a, b in pairs]
    pw_x = (
        beta
        * gamma
        * torch.stack([torch.stack([t[0] for t in terms[i : i + 2]], 1) for i in (0, 2)], 1)
    )
    pw_y = (
        beta
        * gamma
        * torch.stack([torch.stack([t[1] for t in terms[i : i + 2]], 1) for i in (0, 2)], 1)
    )
    unary1, unary2 = unary1.clone(), unary2.clone()
    unary2[:, :-1, :] += (pw_x[:, 1, 0] + pw_x[:, 1, 1]) / 2
    unary1[:, :-1, :] += (pw_x[:, 0, 1] + pw_x[:, 0, 0]) / 2
    unary2[:, 1:, :] += (pw_x[:, 0, 1] + pw_x[:, 1, 1]) / 2
    unary1[:, 1:, :] += (pw_x[:, 1, 0] + pw_x[:, 0, 0]) / 2
    unary2[:, :, :-1] += (pw_y[:, 1, 0] + pw_y[:, 1, 1]) / 2
    unary1[:, :, :-1] += (pw_y[:, 0, 1] + pw_y[:, 0, 0]) / 2
    unary2[:, :, 1:] += (pw_y[:, 0, 1] + pw_y[:, 1, 1]) / 2
    unary1[:, :, 1:] += (pw_y[:, 1, 0] + pw_y[:, 0, 0]) / 2
    pw_x = (pw_x[:, 1, 0] + pw_x[:, 0, 1] - pw_x[:, 1, 1] - pw_x[:, 0, 0]) / 2
    pw_y = (pw_y[:, 1, 0] + pw_y[:, 0, 1] - pw_y[:, 1, 1] - pw_y[:, 0, 0]) / 2
    return unary1, unary2, pw_x, pw_y


def graphcut_multi(
    unary1: np.ndarray, unary2: np.ndarray, pw_x: np.ndarray, pw_y: np.ndarray, alpha: float,
    beta: float, eta: float, n_labels: int,
) -> np.ndarray:  # fmt: skip
    """The block mask z in {0, 1/(n-1), ..., 1} (the share of image 1), as the official
    graphcut_multi solves it with gco's alpha-beta swap."""
    block_num = unary1.shape[0]
    large_val = 1000 * block_num**2
    binomial = [
        comb(n_labels - 1, i) * alpha ** (n_labels - 1 - i) * (1 - alpha) ** i
        for i in range(n_labels)
    ]
    prior = eta * -np.log(np.array(binomial) + 1e-8) / block_num**2  # the official eps
    ratios = np.linspace(0, 1, n_labels)
    unary_cost = large_val * np.stack(
        [(1 - lam) * unary1 + lam * unary2 + prior[i] for i, lam in enumerate(ratios)], axis=-1
    )
    levels = np.arange(n_labels)
    pairwise = ((levels[:, None] - levels[None, :]) ** 2 / (n_labels - 1) ** 2).astype(np.float32)
    cost_v = (large_val * (pw_x + beta)).astype(np.int32)
    cost_h = (large_val * (pw_y + beta)).astype(np.int32)
    labels = gco.cut_grid_graph(
        unary_cost.astype(np.int32), pairwise, cost_v, cost_h, algorithm="swap"
    )
    return (1.0 - labels / (n_labels - 1)).reshape(block_num, block_num)


def cost_matrix(width: int, device: torch.device) -> Tensor:
    """Squared distance between every two blocks of a width x width grid, over (width - 1)^2."""
    rows, cols = torch.meshgrid(torch.arange(width), torch.arange(width), indexing="ij")
    rows, cols = rows.flatten().float(), cols.flatten().float()
    squared = (rows[:, None] - rows[None]) ** 2 + (cols[:, None] - cols[None]) ** 2
    return (squared / max(width - 1, 1) ** 2).to(device)


def mask_transport(mask: Tensor, saliency: Tensor, eps: float) -> Tensor:
    """The transport plan (B, n, n), n = blocks: block i goes to block j where plan[i, j] = 1
    (the official mask_transport: a greedy assignment, width iterations)."""
    block_num = mask.shape[-1]
    z = (mask > 0).float()
    cost = eps * cost_matrix(block_num, mask.device) - saliency.reshape(
        -1, block_num**2, 1
    ) * z.reshape(-1, 1, block_num**2)
    for _ in range(block_num):
        row_best = cost.min(-1)[1]
        plan = torch.zeros_like(cost).scatter_(-1, row_best.unsqueeze(-1), 1)
        cost_fight = plan * cost
        col_best = cost_fight.min(-2)[1]
        plan_win = torch.zeros_like(cost).scatter_(-2, col_best.unsqueeze(-2), 1) * plan
        cost += (1 - plan_win) * plan
    return plan_win


def transport_image(images: Tensor, plan: Tensor, block_num: int) -> Tensor:
    """Pi^T x: each block moved where the plan sends it (a block sent nowhere leaves zeros)."""
    b, c, h, w = images.shape
    size = h // block_num
    blocks = images.reshape(b, c, block_num, size, block_num, size).permute(0, 1, 3, 5, 2, 4)
    blocks = blocks.reshape(b, c, size, size, block_num**2)
    moved = torch.einsum("bcpqi,bij->bcpqj", blocks, plan)
    moved = moved.reshape(b, c, size, size, block_num, block_num).permute(0, 1, 4, 2, 5, 3)
    return moved.reshape(b, c, h, w)


@dataclass(frozen=True)
class PuzzleChoice:
    """What one Puzzle Mix chose: the block mask z (B, 1, t, t) of image 1's share, each image's
    transport plan (B, t^2, t^2) and the partner's."""

    mask: Tensor
    plan: Tensor
    partner_plan: Tensor


def block_numbers(side: int, settings: PuzzleSettings) -> list[int]:
    """The official draw's 2, 4, 8, 16 blocks a side, where the blocks, neighbourhoods and
    transport blocks tile the image (all of them on 32 px images)."""
    valid = []
    for blocks in (2, 4, 8, 16):
        size = side // blocks
        neigh, t_size = min(settings.neigh_size, size), min(settings.t_size, size)
        if side % blocks == 0 and size % neigh == 0 and size % t_size == 0:
            valid.append(blocks)
    return valid


def _unary(maps: Tensor, size: int) -> Tensor:
    pooled = F.avg_pool2d(maps[:, None], size)[:, 0]
    return pooled / pooled.flatten(1).sum(1).clamp(min=1e-12)[:, None, None]


def puzzle_mix(
    images: Tensor, maps: Tensor, alpha: float, block_num: int, settings: PuzzleSettings
) -> tuple[Tensor, Tensor, PuzzleChoice]:
    """Mix each image (x1) with its partner (x2, the previous one) for mixing ratio ``alpha``:
    z Pi1^T x1 + (1 - z) Pi2^T x2. Returns the images, image 1's label weight mean(z) and the
    choice."""
    _check_maps(images, maps)
    b, _, _, width = images.shape
    partners, partner_maps = images.roll(1, 0), maps.roll(1, 0)
    block_size = width // block_num
    neigh = min(settings.neigh_size, block_size)
    t_size = min(settings.t_size, block_size)
    beta = settings.beta / block_num / 16
    unary1, unary2 = _unary(maps, block_size), _unary(partner_maps, block_size)
    terms = graph_terms(images, partners, unary1, unary2, block_num, beta, settings.gamma, neigh)
    u1, u2, pw_x, pw_y = (t.detach().cpu().double().numpy() for t in terms)
    masks = [
        graphcut_multi(u2[i], u1[i], pw_x[i], pw_y[i], alpha, beta, settings.eta, settings.n_labels)
        for i in range(b)
    ]
    mask = torch.tensor(np.stack(masks), dtype=torch.float32, device=images.device)[:, None]
    t_blocks = width // t_size
    mask = F.interpolate(mask, size=t_blocks)
    plan = mask_transport(mask, _unary(maps, t_size), settings.t_eps)
    partner_plan = mask_transport(1 - mask, _unary(partner_maps, t_size), settings.t_eps)
    moved = transport_image(images, plan, t_blocks)
    partner_moved = transport_image(partners, partner_plan, t_blocks)
    pixel_mask = F.interpolate(mask, size=width)
    mixed = pixel_mask * moved + (1 - pixel_mask) * partner_moved
    return mixed, pixel_mask.flatten(1).mean(1), PuzzleChoice(mask, plan, partner_plan)


class PuzzleMix:
    """Batch augment: Puzzle Mix with alpha ~ Beta(mix_alpha, mix_alpha) and a block count
    drawn from block_numbers per batch, on the model's saliency for the true labels."""

    def __init__(
        self, num_classes: int, saliency_fn: SaliencyFn, mix_alpha: float, settings: PuzzleSettings
    ) -> None:
        self.num_classes, self.saliency_fn = num_classes, saliency_fn
        self.mix_alpha, self.settings = mix_alpha, settings

    def __call__(self, images: Tensor, labels: Tensor) -> tuple[Tensor, Tensor]:
        choices = block_numbers(images.shape[-1], self.settings)
        if not choices:
            raise ValueError(
                f"Puzzle Mix needs an image side that 2, 4, 8 or 16 blocks tile; got "
                f"{images.shape[-1]} px: choose an image_size such as 32, 64 or 128"
            )
        block_num = choices[int(torch.randint(len(choices), ()))]
        alpha = sample_lambda(self.mix_alpha)
        maps = self.saliency_fn(images, labels).detach()
        mixed, own, _ = puzzle_mix(images, maps, alpha, block_num, self.settings)
        onehot = F.one_hot(labels, self.num_classes).to(torch.float32)
        own = own[:, None]
        return mixed, own * onehot + (1 - own) * onehot.roll(1, 0)
