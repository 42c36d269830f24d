"""Random masks of a batch, (B, H, W), drawn from torch's global generator on the batch's device.

Written here because no installed library draws them batched on the device: kornia has no
GridMask, Hide-and-Seek, CowMask, FMix or SmoothMix, timm and torchvision have none either, and
the official FMix and CowMask code is NumPy/JAX per batch. Each is a few tensor operations.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def uniform(low: float, high: float, count: int, device: torch.device) -> Tensor:
    """``count`` numbers uniform in [low, high), drawn on the CPU generator (so a run's stream
    is the same on every device, as kornia's parameters are) and moved to ``device``."""
    return (low + (high - low) * torch.rand(count)).to(device)


def grid_keep_mask(
    periods: Tensor, offsets: Tensor, ratio: float, height: int, width: int
) -> Tensor:
    """GridMask's kept pixels: in each period d (per image) a stripe of l = round(ratio * d)
    rows and one of l columns are kept, the (d - l) squares between them are dropped, as in
    the official code's mode 1 (kept fraction 1 - (1 - l/d)^2 where d divides the side)."""
    device = periods.device
    kept = torch.round(ratio * periods.float()).long()[:, None]
    rows = (torch.arange(height, device=device) - offsets[:, 0:1]) % periods[:, None]
    cols = (torch.arange(width, device=device) - offsets[:, 1:2]) % periods[:, None]
    return (rows < kept)[:, :, None] | (cols < kept)[:, None, :]


def cell_mask(cells: Tensor, height: int, width: int) -> Tensor:
    """A (B, G, G) grid of booleans spread over (B, H, W) pixels; cells differ by at most one
    pixel where G does not divide the side."""
    grid = cells.shape[1]
    row_cell = torch.arange(height, device=cells.device) * grid // height
    col_cell = torch.arange(width, device=cells.device) * grid // width
    return cells[:, row_cell][:, :, col_cell]


def gaussian_filtered_noise(sigmas: Tensor, height: int, width: int) -> Tensor:
    """Standard normal noise per image, low-pass filtered by a Gaussian of std ``sigmas`` (B,)
    pixels: multiplied by its transfer function in the Fourier domain, so each image has its
    own sigma in one batched FFT (the boundary wraps round, where CowMask's filter pads)."""
    device = sigmas.device
    noise = torch.randn(len(sigmas), height, width).to(device)
    fy = torch.fft.fftfreq(height, device=device)[:, None]
    fx = torch.fft.fftfreq(width, device=device)[None, :]
    squared = (fy**2 + fx**2)[None]
    transfer = torch.exp(-2 * math.pi**2 * sigmas[:, None, None] ** 2 * squared)
    return torch.fft.ifft2(torch.fft.fft2(noise) * transfer).real


def cow_mask(
    count: int,
    height: int,
    width: int,
    sigma: tuple[float, float],
    proportion: tuple[float, float],
    device: torch.device,
) -> Tensor:
    """CowMask (French et al. 2020): filtered noise thresholded so that a proportion p of its
    pixels is True. sigma (a fraction of the side) is log-uniform in ``sigma``, p uniform in
    ``proportion``; the threshold is mean + sqrt(2) erfinv(2p - 1) std of each image's noise,
    as in the official code."""
    side = min(height, width)
    log_sigma = uniform(math.log(sigma[0] * side), math.log(sigma[1] * side), count, device)
    noise = gaussian_filtered_noise(log_sigma.exp(), height, width)
    p = uniform(*proportion, count, device)
    factor = torch.erfinv(2 * p - 1) * math.sqrt(2.0)
    mean = noise.mean((1, 2))
    std = noise.std((1, 2))
    return noise <= (mean + factor * std)[:, None, None]


def fourier_mask(lam: float, decay: float, height: int, width: int, device: torch.device) -> Tensor:
    """FMix's mask (Harris et al. 2020): noise with a 1/f^decay spectrum; its top round(lam * HW)
    pixels are True. One mask per batch, as the official code draws it."""
    fy = torch.fft.fftfreq(height)[:, None]
    fx = torch.fft.rfftfreq(width)[None, :]
    freqs = torch.sqrt(fy**2 + fx**2)
    scale = 1.0 / freqs.clamp(min=1.0 / max(height, width)) ** decay
    spectrum = torch.complex(torch.randn(freqs.shape), torch.randn(freqs.shape)) * scale
    grey = torch.fft.irfft2(spectrum, s=(height, width)).flatten()
    count = round(lam * height * width)
    mask = torch.zeros(height * width, dtype=torch.bool)
    mask[grey.argsort(descending=True)[:count]] = True
    return mask.view(1, height, width).to(device)


def gaussian_bump(centres: Tensor, sigmas: Tensor, height: int, width: int) -> Tensor:
    """SmoothMix's soft mask G (B, H, W) in (0, 1]: exp(-d^2 / (2 sigma^2)) around each
    image's centre (row, column), sigma in pixels."""
    device = centres.device
    rows = torch.arange(height, device=device)[None, :, None] - centres[:, 0, None, None]
    cols = torch.arange(width, device=device)[None, None, :] - centres[:, 1, None, None]
    return torch.exp(-(rows**2 + cols**2) / (2 * sigmas[:, None, None] ** 2))
