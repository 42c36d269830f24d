"""Per-sample transforms: dtype, range, size, reproducibility, and known outputs."""

import pytest
import torch

from proxy_attention.augment import (
    AUGMENTATIONS,
    batch_augment,
    eval_transform,
    requires_saliency,
    train_transform,
)


def _image(h: int = 20, w: int = 24, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=g)


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_train_transform_float_in_unit_range_at_size(name):
    out = train_transform(name, image_size=16)(_image())
    assert out.dtype == torch.float32
    assert out.shape == (3, 16, 16)
    assert out.min() >= 0.0 and out.max() <= 1.0


@pytest.mark.parametrize("name", AUGMENTATIONS)
def test_train_transform_same_seed_same_output(name):
    transform = train_transform(name, image_size=16)
    x = _image()
    torch.manual_seed(123)
    first = transform(x)
    torch.manual_seed(123)
    second = transform(x)
    assert torch.equal(first, second)


@pytest.mark.parametrize("name", ["basic", "augmix", "randaugment", "trivialaugment"])
def test_train_transform_is_random_across_seeds(name):
    transform = train_transform(name, image_size=16)
    x = _image()
    outs = []
    for seed in range(4):
        torch.manual_seed(seed)
        outs.append(transform(x))
    assert any(not torch.equal(outs[0], o) for o in outs[1:])


def test_eval_transform_is_exact_scaling_at_same_size():
    x = _image(16, 16)
    out = eval_transform(16)(x)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, x.float() / 255.0)


def test_eval_transform_resizes():
    assert eval_transform(8)(_image(20, 24)).shape == (3, 8, 8)


def test_basic_with_certain_flip_and_no_rotation_is_a_mirror():
    x = _image(16, 16)
    out = train_transform("basic", 16, hflip=1.0, rotation=0.0)(x)
    torch.testing.assert_close(out, x.flip(-1).float() / 255.0)


def test_basic_without_flip_or_rotation_equals_eval():
    x = _image(16, 16)
    out = train_transform("basic", 16, hflip=0.0, rotation=0.0)(x)
    torch.testing.assert_close(out, eval_transform(16)(x))


def _zero_box(out: torch.Tensor) -> tuple[int, int, int]:
    """Rows, columns and count of the zeroed pixels of an all-white image."""
    zero = (out == 0).all(0)
    rows, cols = zero.any(1).nonzero(), zero.any(0).nonzero()
    return (rows.max() - rows.min() + 1).item(), (cols.max() - cols.min() + 1).item(), zero.sum()


def test_cutout_erases_one_square_of_half_the_side():
    white = torch.full((3, 16, 16), 255, dtype=torch.uint8)
    transform = train_transform("cutout", 16, hflip=0.0, rotation=0.0)
    for seed in range(3):
        torch.manual_seed(seed)
        h, w, count = _zero_box(transform(white))
        assert (h, w, count) == (8, 8, 64)


def test_random_erasing_erases_a_rectangle_within_default_area():
    white = torch.full((3, 20, 20), 255, dtype=torch.uint8)
    transform = train_transform("random_erasing", 20, hflip=0.0, rotation=0.0)
    erased = 0
    for seed in range(12):
        torch.manual_seed(seed)
        out = transform(white)
        if (out == 0).any():
            erased += 1
            h, w, count = _zero_box(out)
            assert count == h * w  # one solid rectangle
            assert 0.02 * 400 - 1 <= count <= 0.33 * 400 + 1
        else:
            assert torch.equal(out, torch.ones_like(out))
    assert 0 < erased < 12  # p = 0.5: some images erased, some not


def test_unknown_name_is_rejected():
    with pytest.raises(ValueError, match="unknown augmentation"):
        train_transform("sharpen", 16)
    with pytest.raises(ValueError, match="unknown augmentation"):
        requires_saliency("sharpen")


def test_registry_flags():
    assert [n for n in AUGMENTATIONS if requires_saliency(n)] == ["saliencymix", "attentive_cutmix"]
    per_sample = [n for n in AUGMENTATIONS if batch_augment(n, 3, saliency_fn=lambda x: x) is None]
    assert per_sample == [
        "basic",
        "cutout",
        "random_erasing",
        "augmix",
        "randaugment",
        "trivialaugment",
    ]
