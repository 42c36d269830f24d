"""Training transforms: dtype, range, size, reproducibility and known outputs, for both paths:
the per-sample policies in the loader, and every augmentation's batch steps on the device."""

import pytest
import torch

from proxy_attention.augment import (
    AUGMENTATIONS,
    batch_augment,
    batch_transform,
    eval_transform,
    get_augmentation,
    requires_saliency,
    sample_transform,
)

PER_SAMPLE = ["augmix", "randaugment", "trivialaugment"]


def _images(count: int = 4, h: int = 16, w: int = 16, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (count, 3, h, w), dtype=torch.uint8, generator=g)


def augmented(name: str, images: torch.Tensor, hflip=0.5, rotation=10.0) -> torch.Tensor:
    """What training feeds the model (before a batch mix): the loader's per-sample steps where
    the augmentation has a policy, then the batch steps, as train/training_state.py wires them."""
    if get_augmentation(name).is_per_sample:
        per_sample = sample_transform(name, images.shape[-1], hflip, rotation)
        floats = torch.stack([per_sample(image) for image in images])
    else:
        floats = images.float() / 255.0
    with torch.no_grad():
        return batch_transform(name, hflip, rotation)(floats)


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_training_images_are_float_in_unit_range_at_size(name):
    out = augmented(name, _images())
    assert out.dtype == torch.float32 and out.shape == (4, 3, 16, 16)
    assert out.min() >= 0.0 and out.max() <= 1.0


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_same_seed_same_output(name):
    x = _images()
    torch.manual_seed(123)
    first = augmented(name, x)
    torch.manual_seed(123)
    assert torch.equal(first, augmented(name, x))


@pytest.mark.parametrize("name", ["basic", "cutout", "random_erasing", *PER_SAMPLE])
def test_random_across_seeds(name):
    x = _images()
    outs = []
    for seed in range(4):
        torch.manual_seed(seed)
        outs.append(augmented(name, x))
    assert any(not torch.equal(outs[0], o) for o in outs[1:])


def test_eval_transform_is_exact_scaling_at_same_size():
    x = _images(1)[0]
    out = eval_transform(16)(x)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, x.float() / 255.0)


def test_eval_transform_resizes():
    assert eval_transform(8)(_images(1, 20, 24)[0]).shape == (3, 8, 8)


@pytest.mark.parametrize("name", ["basic", "randaugment"])
def test_certain_flip_and_no_rotation_is_a_mirror_on_either_path(name):
    x = _images(3)
    if name == "basic":
        torch.testing.assert_close(augmented(name, x, 1.0, 0.0), x.flip(-1).float() / 255.0)
    else:  # the policy runs after the mirror: same result as mirroring the input first
        torch.manual_seed(5)
        mirrored_first = augmented(name, x.flip(-1), 0.0, 0.0)
        torch.manual_seed(5)
        torch.testing.assert_close(augmented(name, x, 1.0, 0.0), mirrored_first)


def test_basic_without_flip_or_rotation_is_the_identity():
    x = _images()
    torch.testing.assert_close(augmented("basic", x, 0.0, 0.0), x.float() / 255.0)


def _zero_box(out: torch.Tensor) -> tuple[int, int, int]:
    """Rows, columns and count of the zeroed pixels of an all-white image."""
    zero = (out == 0).all(0)
    rows, cols = zero.any(1).nonzero(), zero.any(0).nonzero()
    return (rows.max() - rows.min() + 1).item(), (cols.max() - cols.min() + 1).item(), zero.sum()


def test_cutout_erases_one_square_of_half_the_side_in_every_image():
    white = torch.full((6, 3, 16, 16), 255, dtype=torch.uint8)
    torch.manual_seed(0)
    out = augmented("cutout", white, 0.0, 0.0)
    assert [_zero_box(image) for image in out] == [(8, 8, 64)] * 6
    assert len({tuple((image == 0).all(0).nonzero()[0].tolist()) for image in out}) > 1


def test_random_erasing_erases_one_rectangle_within_default_area_in_some_images():
    white = torch.full((24, 3, 20, 20), 255, dtype=torch.uint8)
    torch.manual_seed(0)
    out = augmented("random_erasing", white, 0.0, 0.0)
    erased = 0
    for image in out:
        if (image == 0).any():
            erased += 1
            h, w, count = _zero_box(image)
            assert count == h * w  # one solid rectangle
            assert 0.02 * 400 - 1 <= count <= 0.33 * 400 + 1
        else:
            assert torch.equal(image, torch.ones_like(image))
    assert 0 < erased < 24  # p = 0.5: some images erased, some not


def test_unknown_name_is_rejected_and_each_path_refuses_the_other():
    with pytest.raises(ValueError, match="unknown augmentation"):
        batch_transform("sharpen")
    with pytest.raises(ValueError, match="unknown augmentation"):
        requires_saliency("sharpen")
    with pytest.raises(ValueError, match="'cutout' runs batched"):
        sample_transform("cutout", 16)


def test_registry_flags():
    saliency = ["saliencymix", "attentive_cutmix", "keepaugment", "snapmix", "puzzlemix"]
    assert [n for n in AUGMENTATIONS if requires_saliency(n)] == saliency
    no_mix = [n for n in AUGMENTATIONS if batch_augment(n, 3, saliency_fn=lambda x: x) is None]
    steps = ["gridmask", "hide_and_seek", "cowmask_erase"]
    assert no_mix == ["basic", "cutout", "random_erasing", *PER_SAMPLE, "autoaugment", *steps]
    assert [n for n in AUGMENTATIONS if get_augmentation(n).is_per_sample] == [
        *PER_SAMPLE,
        "autoaugment",
    ]
