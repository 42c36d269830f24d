"""KeepAugment never erases the most salient window; SnapMix's label weights are the CAM mass
of the cut and pasted boxes; AutoAugment is torchvision's policy."""

import torch
import torch.nn.functional as F
from torchvision.transforms import v2

from proxy_attention.augment import batch_augment, get_augmentation, sample_transform
from proxy_attention.augment.saliency_guided import KeepAugment, keep_cutout, snapmix


def block_maps(corners: list[tuple[int, int]], size: int = 32, side: int = 8) -> torch.Tensor:
    """Saliency 1 on a side x side block at each corner, a little elsewhere: one top window."""
    maps = torch.full((len(corners), size, size), 0.1)
    for map_, (top, left) in zip(maps, corners, strict=True):
        map_[top : top + side, left : left + side] = 1.0
    return maps


def test_keep_cutout_erases_the_square_except_the_top_window():
    images = torch.rand(1, 3, 32, 32) + 0.1
    maps = block_maps([(6, 8)])
    cut = (torch.tensor([4]), torch.tensor([6]))
    out, erased = keep_cutout(images, maps, cut, cut_side=16, keep_side=8)
    # The 8 x 8 window of most saliency is the block: rows 6-13, columns 8-15.
    expected = torch.zeros(32, 32, dtype=torch.bool)
    expected[4:20, 6:22] = True
    expected[6:14, 8:16] = False
    assert torch.equal(erased[0], expected)
    assert torch.equal(out[0][:, expected], torch.zeros(3, int(expected.sum())))
    assert torch.equal(out[0][:, ~expected], images[0][:, ~expected])


def test_keepaugment_never_erases_the_top_saliency_window():
    torch.manual_seed(0)
    images, labels = torch.rand(64, 3, 32, 32) + 0.1, torch.zeros(64, dtype=torch.long)
    corners = [(int(r), int(c)) for r, c in torch.randint(0, 25, (64, 2))]
    maps = block_maps(corners)
    keep = KeepAugment(2, lambda batch: maps, keep_side=0.25)
    erased_any = 0
    for _ in range(20):
        out, targets = keep(images, labels)
        erased_any += int((out == 0).any())
        for i, (top, left) in enumerate(corners):
            window = (slice(None), slice(top, top + 8), slice(left, left + 8))
            assert torch.equal(out[i][window], images[i][window])
        assert torch.equal(targets, F.one_hot(labels, 2).float())
    assert erased_any == 20  # Cutout did erase, around the kept windows


def test_snapmix_weights_are_the_cam_mass_of_the_boxes():
    images = torch.rand(2, 3, 32, 32)
    cams = torch.zeros(2, 32, 32)
    cams[0, :16, :16] = 1.0  # image 0's evidence: its top-left quarter
    cams[1, :, :8] = 3.0  # image 1's: its left quarter, any scale
    labels = torch.tensor([0, 1])
    own, pasted = (0, 16, 0, 8), (0, 32, 0, 4)  # rows [top, bottom), columns [left, right)
    mixed, targets = snapmix(images, labels, cams, own, pasted, 3)
    # Image 0 loses half of its mass (16 x 8 of its 16 x 16) and gets half of its partner's
    # (image 1's columns 0-3 of 0-7); image 1 loses half (16 x 8 of 32 x 8) and gets a quarter
    # of image 0's (columns 0-3 of its 16 x 16).
    assert torch.allclose(targets[0], torch.tensor([0.5, 0.5, 0.0]))
    assert torch.allclose(targets[1], torch.tensor([0.25, 0.5, 0.0]))
    patch = F.interpolate(images[[1], :, :, 0:4], (16, 8), mode="bilinear", align_corners=True)
    assert torch.allclose(mixed[0, :, 0:16, 0:8], patch[0])
    assert torch.equal(mixed[0, :, 16:], images[0, :, 16:])


def test_snapmix_same_labels_add_their_weights_and_empty_maps_weigh_by_area():
    images, cams = torch.rand(2, 3, 8, 8), torch.zeros(2, 8, 8)
    mixed, targets = snapmix(images, torch.tensor([1, 1]), cams, (0, 4, 0, 4), (0, 8, 0, 8), 2)
    # No CAM mass anywhere: area weights 1 - 16/64 and 64/64; with one label each weight is
    # their sum, both on label 1 (the official code's loss, 1.75 CE + 1.75 CE).
    assert torch.allclose(targets, torch.tensor([[0.0, 3.5], [0.0, 3.5]]))


def test_snapmix_explains_the_true_labels():
    asked = []

    def saliency(images, classes=None):
        asked.append(classes)
        return torch.ones(images.shape[0], *images.shape[2:])

    torch.manual_seed(0)
    mix = batch_augment("snapmix", 4, saliency)
    labels = torch.tensor([3, 1, 2, 0])
    while not asked:  # SnapMix skips a batch whose box is empty
        mix(torch.rand(4, 3, 16, 16), labels)
    assert torch.equal(asked[0], labels)


def test_autoaugment_is_torchvisions_policy_after_basic():
    assert get_augmentation("autoaugment").sample_policy is v2.AutoAugment
    steps = sample_transform("autoaugment", 32).transforms
    names = [type(step).__name__ for step in steps]
    assert names[-3:] == ["RandomRotation", "AutoAugment", "ToDtype"]
    assert steps[-2].policy == v2.AutoAugmentPolicy.IMAGENET
