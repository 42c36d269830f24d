"""normalise_maps: ReLU/abs, bilinear upsampling, per-image min-max, on hand-computed cases."""

import torch

from proxy_attention.saliency import normalise_maps
from proxy_attention.saliency.normalise import reduce_channels


def test_relu_then_min_max_per_image():
    raw = torch.tensor([[[-3.0, 2.0], [4.0, 8.0]], [[1.0, 3.0], [5.0, 9.0]]])
    out = normalise_maps(raw, (2, 2), signed=False)
    # Image 0: ReLU -> [0, 2, 4, 8] -> /8; image 1: [1, 3, 5, 9] -> (v - 1) / 8.
    expected = torch.tensor([[[0.0, 0.25], [0.5, 1.0]], [[0.0, 0.25], [0.5, 1.0]]])
    torch.testing.assert_close(out, expected)
    assert out.dtype == torch.float32


def test_signed_maps_take_absolute_value():
    raw = torch.tensor([[[-4.0, 2.0], [0.0, 1.0]]])
    out = normalise_maps(raw, (2, 2), signed=True)
    torch.testing.assert_close(out, torch.tensor([[[1.0, 0.5], [0.0, 0.25]]]))


def test_bilinear_upsampling_uses_half_pixel_centres():
    # Output pixel d samples the input at (d + 0.5) / 2 - 0.5, clamped at the borders.
    raw = torch.tensor([[[0.0, 1.0]]])
    out = normalise_maps(raw, (1, 4), signed=False)
    torch.testing.assert_close(out, torch.tensor([[[0.0, 0.25, 0.75, 1.0]]]))


def test_constant_maps_become_zeros_not_nan():
    raw = torch.stack([torch.full((3, 3), 5.0), torch.zeros(3, 3), torch.full((3, 3), -2.0)])
    out = normalise_maps(raw, (6, 6), signed=False)
    assert out.shape == (3, 6, 6)
    assert torch.equal(out, torch.zeros(3, 6, 6))


def test_nan_entries_do_not_spread():
    raw = torch.tensor([[[float("nan"), 2.0], [1.0, 0.0]]])
    out = normalise_maps(raw, (2, 2), signed=False)
    torch.testing.assert_close(out, torch.tensor([[[0.0, 1.0], [0.5, 0.0]]]))


def test_reduce_channels_sums_absolute_values():
    attr = torch.tensor([[[[1.0]], [[-2.0]], [[0.5]]]])  # (1, 3, 1, 1)
    torch.testing.assert_close(reduce_channels(attr), torch.tensor([[[3.5]]]))
