"""Chained augmentations: policy, batch steps, one mix, in that order; bad chains are one line."""

import re

import pytest
import torch
import yaml
from torchvision.transforms import v2

from proxy_attention import augment
from proxy_attention.augment import batch_augment, batch_transform, get_augmentation
from proxy_attention.augment.erasing import GridMask
from proxy_attention.augment_chains import ChainError, check_augmentation
from proxy_attention.grid import expand_grid
from proxy_attention.params import ParamsError, validate_params
from tests.helpers.repo import ROOT


def test_a_chain_runs_its_policy_its_steps_and_its_mix():
    spec = get_augmentation("randaugment+gridmask+cutmix")
    assert spec.sample_policy is v2.RandAugment and spec.is_batch_mix
    steps = batch_transform("randaugment+gridmask+cutmix")
    # The loader ran basic with the policy, so the device runs only the chain's GridMask.
    assert [type(m) for m in steps[0]] == [GridMask]
    mix = batch_augment("randaugment+gridmask+cutmix", 3)
    assert isinstance(mix, v2.CutMix)


def test_batch_steps_chain_after_basic_in_the_written_order():
    steps = batch_transform("hide_and_seek+gridmask")
    assert [type(m).__name__ for m in steps[1]] == ["HideAndSeek", "GridMask"]
    assert not get_augmentation("hide_and_seek+gridmask").is_batch_mix


def test_a_saliency_mix_makes_the_chain_need_saliency():
    assert augment.requires_saliency("gridmask+snapmix")
    assert not augment.requires_saliency("gridmask+cutmix")


BAD_CHAINS = [
    ("cutmix+mixup", "has 2 of kind batch mix (cutmix, mixup); a chain takes at most one"),
    ("augmix+randaugment", "has 2 of kind per-sample policy (augmix, randaugment)"),
    ("cutmix+randaugment", "write it as 'randaugment+cutmix'"),
    ("basic+cutmix", "basic is part of every augmentation; drop it"),
    ("gridmask+gridmask", "repeats an augmentation; name each once"),
    ("randaugment+sharpen", "'sharpen' is not an augmentation; choose from: basic, cutout"),
]


@pytest.mark.parametrize(("name", "expected"), BAD_CHAINS)
def test_a_chain_training_cannot_run_is_refused_with_the_fix(name, expected):
    with pytest.raises(ChainError, match=re.escape(expected)):
        check_augmentation("grid.augmentations[0]", name)


def test_params_with_a_bad_chain_stop_before_any_job_in_one_line():
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["grid"]["augmentations"] = ["basic", "mixup+cutmix"]
    with pytest.raises(ParamsError) as info:
        validate_params(params)
    message = str(info.value)
    assert "grid.augmentations[1] = 'mixup+cutmix' has 2 of kind batch mix" in message
    assert "\n" not in message


def test_a_chain_is_a_grid_entry_with_its_control_and_a_safe_run_id():
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["grid"]["augmentations"] = ["randaugment+cutmix"]
    runs = expand_grid(validate_params(params))
    proxy = next(run for run in runs if run.proxy is not None)
    control = proxy.control_id
    assert "/aug~randaugment+cutmix/" in proxy.run_id and "/aug~randaugment+cutmix/" in control
    assert control in {run.run_id for run in runs} and control != proxy.run_id


def test_a_reversed_range_is_one_line_with_the_fix():
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["train"]["masking"] = {"resizemix_scale": [0.8, 0.1]}
    with pytest.raises(ParamsError, match=r"train.masking.resizemix_scale = \[0.8, 0.1\] is not"):
        validate_params(params)


def test_sample_pairing_is_told_the_epoch():
    mix = batch_augment("sample_pairing", 2)
    mix.set_epoch(5)
    assert mix.epoch == 5 and torch.is_tensor(mix(torch.rand(2, 3, 4, 4), torch.tensor([0, 1]))[1])
