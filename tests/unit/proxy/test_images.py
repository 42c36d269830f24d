"""Proxy images against thesis/chapters/approach.tex, pixel by pixel on a hand-made image."""

import pytest
import torch

from proxy_attention.data.conversions import to_float, to_uint8
from proxy_attention.proxy.images import changed_fraction, proxy_images

# One 2-channel 2x3 image and a map with values on both sides of tau = 0.5.
IMAGE = torch.tensor(
    [[[0.2, 0.4, 0.6], [0.8, 1.0, 0.0]], [[0.1, 0.3, 0.5], [0.7, 0.9, 0.2]]]
).unsqueeze(0)
MAP = torch.tensor([[[0.0, 0.6, 1.0], [0.5, 0.9, 0.2]]])
MASK = [[False, True, True], [False, True, False]]  # M > 0.5


def expected(fill) -> torch.Tensor:
    out = IMAGE.clone()
    for c in range(2):
        for y in range(2):
            for x in range(3):
                if MASK[y][x]:
                    out[0, c, y, x] = fill(c, y, x)
    return out


def test_blended_is_one_minus_weight_times_map_inside_the_mask():
    result = proxy_images(IMAGE, MAP, threshold=0.5, weight=0.4, mode="blended")
    want = expected(lambda c, y, x: (1 - 0.4 * MAP[0, y, x]) * IMAGE[0, c, y, x])
    torch.testing.assert_close(result, want)
    # by hand for one pixel: (1 - 0.4 * 0.6) * 0.4 = 0.304
    assert result[0, 0, 0, 1].item() == pytest.approx(0.304)


@pytest.mark.parametrize(
    ("mode", "value"),
    [
        ("mean", IMAGE.mean().item()),
        ("max", 1.0),
        ("min", 0.0),
        ("halfmax", 0.5),
        ("zero", 0.0),
    ],
)
def test_replacement_modes_set_masked_pixels_to_one_value(mode, value):
    result = proxy_images(IMAGE, MAP, threshold=0.5, weight=0.3, mode=mode)
    torch.testing.assert_close(result, expected(lambda c, y, x: value))


@pytest.mark.parametrize("mode", ["blended", "mean", "max", "min", "halfmax", "zero"])
def test_identity_cases(mode):
    assert torch.equal(proxy_images(IMAGE, MAP, 0.5, 0.0, mode), IMAGE)
    assert torch.equal(proxy_images(IMAGE, MAP, 1.0, 0.7, mode), IMAGE)


def test_changed_fraction_counts_the_mask():
    assert changed_fraction(MAP, 0.5, 0.4).tolist() == [pytest.approx(3 / 6)]
    assert changed_fraction(MAP, 0.5, 0.0).tolist() == [0.0]
    mask_pixels = (proxy_images(IMAGE, MAP, 0.5, 1.0, "zero") != IMAGE).any(dim=1).sum()
    assert mask_pixels.item() == 3


def test_uint8_round_trip_is_exact_for_stored_values():
    stored = torch.randint(0, 256, (2, 5, 4, 3), dtype=torch.uint8)
    assert torch.equal(to_uint8(to_float(stored)), stored)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown proxy mode"):
        proxy_images(IMAGE, MAP, 0.5, 0.5, "blur")
