"""What defines each mask mix, on known inputs: the partner's label weight is the area it fills
(FMix, ResizeMix, RICAP, CowMask mixing), SmoothMix's lambda is its mask's mean, Sample Pairing
keeps the label and follows its epochs."""

import torch
import torch.nn.functional as F

from proxy_attention.augment.mask_mixing import (
    RICAP,
    CowMaskMix,
    FMix,
    ResizeMix,
    SamplePairing,
    SmoothMix,
    resize_paste,
    ricap,
    smooth_mix,
)


def flat_images(count: int, size: int = 32) -> torch.Tensor:
    """Image i is the constant (i + 1) / (count + 1): a pixel names the image it came from."""
    values = torch.arange(1, count + 1, dtype=torch.float32) / (count + 1)
    return values[:, None, None, None].expand(count, 3, size, size).clone()


def partner_area(mixed: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    """The share of each image's pixels that came from its partner (the previous image)."""
    # isclose: a resized flat image is flat up to rounding.
    return torch.isclose(mixed[:, 0], images.roll(1, 0)[:, 0]).flatten(1).float().mean(1)


def test_pasted_area_is_the_partners_label_weight():
    torch.manual_seed(0)
    images, labels = flat_images(6), torch.arange(6)
    mixes = (FMix(6, 1.0, 3.0), ResizeMix(6, (0.1, 0.8)), CowMaskMix(6, (0.125, 0.5), (0.2, 0.8)))
    for mix in mixes:
        for _ in range(5):
            mixed, targets = mix(images, labels)
            area = partner_area(mixed, images)
            own = torch.isclose(mixed[:, 0], images[:, 0]).flatten(1).float().mean(1)
            assert torch.allclose(targets[torch.arange(6), labels.roll(1)], area), type(mix)
            assert torch.allclose(targets[torch.arange(6), labels], own), type(mix)
            assert torch.allclose(area + own, torch.ones(6))


def test_fmix_mask_covers_its_lambda_and_is_low_frequency():
    torch.manual_seed(1)
    images, labels = flat_images(2, 64), torch.arange(2)
    mixed, targets = FMix(2, 1.0, 3.0)(images, labels)
    area = partner_area(mixed, images)
    # One mask per batch whose area is round(lambda * HW) pixels: a whole number of pixels.
    assert torch.equal(area[0], area[1]) and float(area[0] * 64 * 64) % 1 == 0
    mask = (mixed[0, 0] == images[1, 0]).float()
    assert (mask[:, 1:] == mask[:, :-1]).float().mean() > 0.9  # blobs, not noise


def test_resizemix_pastes_the_whole_partner_resized():
    images = torch.rand(3, 3, 32, 32)
    mixed, targets = resize_paste(images, torch.arange(3), (16, 8), (4, 20), 3)
    small = F.interpolate(images.roll(1, 0), size=(16, 8), mode="bilinear", antialias=True)
    assert torch.equal(mixed[:, :, 4:20, 20:28], small)
    outside = torch.ones(32, 32, dtype=torch.bool)
    outside[4:20, 20:28] = False
    assert torch.equal(mixed[:, :, outside], images[:, :, outside])
    assert torch.allclose(targets[0], torch.tensor([1 - 0.125, 0.0, 0.125]))


def test_ricap_weights_each_label_by_its_quadrant():
    images = torch.rand(4, 3, 32, 32)
    orders = [torch.tensor([0, 1, 2, 3]), torch.tensor([1, 2, 3, 0]), torch.tensor([2, 3, 0, 1])]
    orders.append(torch.tensor([3, 0, 1, 2]))
    corners = [(5, 0), (0, 0), (0, 7), (2, 2)]
    mixed, targets = ricap(images, torch.arange(4), (10, 20), orders, corners, 4)
    assert torch.equal(mixed[0, :, :10, :20], images[0, :, 5:15, 0:20])  # top-left crop
    assert torch.equal(mixed[0, :, 10:, 20:], images[3, :, 2:24, 2:14])  # bottom-right crop
    areas = torch.tensor([10 * 20, 10 * 12, 22 * 20, 22 * 12]) / 1024
    assert torch.allclose(targets[0], areas)
    assert torch.allclose(targets[1], areas.roll(1))


def test_ricap_label_weights_are_the_areas_of_the_four_images():
    torch.manual_seed(2)
    images, labels = flat_images(4), torch.arange(4)
    for _ in range(10):
        mixed, targets = RICAP(4, 0.3)(images, labels)
        for k in range(4):
            area = (mixed[:, 0] == images[k, 0, 0, 0]).flatten(1).float().mean(1)
            assert torch.allclose(targets[:, k], area)


def test_smoothmix_lambda_is_the_mean_of_its_mask():
    images = torch.rand(2, 3, 8, 8)
    g = torch.rand(2, 8, 8)
    mixed, targets = smooth_mix(images, torch.tensor([0, 1]), g, 2)
    assert torch.allclose(mixed, g[:, None] * images.roll(1, 0) + (1 - g[:, None]) * images)
    assert torch.allclose(targets[:, 1], torch.stack([g[0].mean(), 1 - g[1].mean()]))


def test_smoothmix_mask_is_a_gaussian_bump_and_lambda_its_mean():
    torch.manual_seed(3)
    images = torch.zeros(4, 3, 32, 32)
    images[1::2] = 1.0  # odd images white: for even i the mix shows the partner's mask G
    mixed, targets = SmoothMix(2, (0.25, 0.5))(images, torch.tensor([0, 1, 0, 1]))
    g = mixed[0, 0]
    assert torch.isclose(targets[0, 1], g.mean())
    peak = int(g.argmax())
    assert float(g.max()) > 0.9 and float(g.min()) < float(g.max())
    row = g[peak // 32]
    left, right = row[: peak % 32 + 1], row[peak % 32 :]
    assert (left.diff() >= -1e-6).all() and (right.diff() <= 1e-6).all()  # soft, one peak


def test_sample_pairing_keeps_the_label_and_follows_its_cycles():
    images, labels = torch.rand(3, 3, 4, 4), torch.tensor([2, 0, 1])
    pairing = SamplePairing(3, warmup=1, on=2, off=1)
    on = []
    for epoch in range(1, 9):
        pairing.set_epoch(epoch)
        mixed, targets = pairing(images, labels)
        assert torch.equal(targets, F.one_hot(labels, 3).float())
        if torch.equal(mixed, images):
            continue
        assert torch.allclose(mixed, (images + images.roll(1, 0)) / 2)
        on.append(epoch)
    assert on == [2, 3, 5, 6, 8]
    assert [e for e in range(1, 31) if SamplePairing(3, 10, 8, 2).is_on(e)] == [
        *range(11, 19),
        *range(21, 29),
    ]
