"""The trainer on a learnable toy problem: loss falls, same seed gives the same numbers."""

import json

import numpy as np
import pytest
import torch

from proxy_attention.grid import ProxySettings, RunSpec
from proxy_attention.proxy.overlay import rebuild_overlay
from proxy_attention.slices import train_slice
from proxy_attention.train.run import CHECKPOINT, METRICS, train_run


def toy_params(params, epochs_batch=16):
    params["train"].update(batch_size=epochs_batch, eval_batch_size=64, hflip=0.0, rotation=0.0)
    params["train"]["lr_schedule"]["max_lr"] = 0.01
    params["proxy"].update(batch_size=8, contact_sheet_images=4)
    return params


def run(params, toy_dataset, out, spec):
    prepared, split = toy_dataset
    return train_run(spec, train_slice(params), prepared, split, out, threads=1)


def test_loss_falls_and_outputs_are_written(params, toy_dataset, tmp_path):
    spec = RunSpec("toy", "test_efficientnet", "basic", (8,), seed=0)
    metrics = run(toy_params(params), toy_dataset, tmp_path / "run", spec)
    losses = [e["train_loss"] for e in metrics["epochs"]]
    assert len(losses) == 8
    assert losses[-1] < 0.7 * losses[0]
    assert metrics["epochs"][-1]["val_accuracy"] > 0.6
    assert (tmp_path / "run" / CHECKPOINT).exists()
    assert json.loads((tmp_path / "run" / METRICS).read_text())["run_id"] == spec.run_id
    assert any((tmp_path / "run" / "tensorboard").iterdir())
    test = metrics["test"]
    assert np.array(test["confusion_matrix"]).sum() == 18
    assert 0 <= test["f1_macro"] <= 1 and len(test["per_class"]) == 3
    state = torch.load(tmp_path / "run" / CHECKPOINT, weights_only=True)
    assert state["arch"] == "test_efficientnet"


def test_same_seed_same_numbers(params, toy_dataset, tmp_path):
    spec = RunSpec("toy", "test_efficientnet", "basic", (2,), seed=3)
    params = toy_params(params)
    params["train"].update(hflip=0.5, rotation=10.0)
    first = run(params, toy_dataset, tmp_path / "a", spec)
    second = run(params, toy_dataset, tmp_path / "b", spec)
    strip = lambda m: [{k: v for k, v in e.items() if "seconds" not in k} for e in m["epochs"]]  # noqa: E731
    assert strip(first) == strip(second)
    assert first["test"] == second["test"]


def test_proxy_schedule_is_deterministic_and_rebuildable(params, toy_dataset, tmp_path):
    """Three proxy steps with clear_every_step false: same seed, same chosen indices and pixels;
    the artifacts rebuild the exact training set of every round."""
    proxy = ProxySettings("saliency", threshold=0.3, weight=0.8, subset=0.5, clear_every_step=False)
    spec = RunSpec("toy", "test_efficientnet", "basic", (1, "p", "p", "p"), seed=1, proxy=proxy)
    params = toy_params(params, epochs_batch=32)
    params["train"]["lr_schedule"]["max_lr"] = 0.001  # keep some images misclassified
    first = run(params, toy_dataset, tmp_path / "a", spec)
    second = run(params, toy_dataset, tmp_path / "b", spec)
    assert len(first["proxy_steps"]) == 3
    assert [s["chosen"] for s in first["proxy_steps"]] == [
        s["chosen"] for s in second["proxy_steps"]
    ]
    assert sum(s["chosen"] for s in first["proxy_steps"]) > 0
    for step in sorted((tmp_path / "a" / "proxy").glob("step-*")):
        twin = tmp_path / "b" / "proxy" / step.name
        for name in ("indices.npy", "images.npy", "maps.npy"):
            np.testing.assert_array_equal(np.load(step / name), np.load(twin / name))
    # the rebuilt overlay matches the replaced count recorded after each proxy epoch
    replaced = [e["replaced"] for e in first["epochs"] if e["epoch"] > 1]
    rebuilt = [len(rebuild_overlay(tmp_path / "a", 90, r, False)) for r in (1, 2, 3)]
    assert rebuilt == replaced
    # a proxy differs from its original only where the saliency map exceeded the threshold
    step = tmp_path / "a" / "proxy" / "step-01"
    images, originals, maps = (
        np.load(step / f) for f in ("images.npy", "originals.npy", "maps.npy")
    )
    changed = (images != originals).any(axis=-1)
    assert not changed[maps <= 0.3].any()


@pytest.mark.parametrize("clear", [True, False])
def test_clear_every_step_in_a_real_run(params, toy_dataset, tmp_path, clear):
    proxy = ProxySettings("saliency", threshold=0.3, weight=0.8, subset=0.5, clear_every_step=clear)
    spec = RunSpec("toy", "test_efficientnet", "basic", ("p", "p", "p"), seed=0, proxy=proxy)
    params = toy_params(params, epochs_batch=32)
    params["train"]["lr_schedule"]["max_lr"] = 0.0005
    metrics = run(params, toy_dataset, tmp_path / "run", spec)
    chosen = [s["chosen"] for s in metrics["proxy_steps"]]
    replaced = [e["replaced"] for e in metrics["epochs"]]
    if clear:
        assert replaced == chosen
    else:
        steps = sorted((tmp_path / "run" / "proxy").glob("step-*"))
        union = set()
        for step, count in zip(steps, replaced, strict=True):
            union |= set(np.load(step / "indices.npy").tolist())
            assert count == len(union)


def test_resplit_switch_draws_a_new_split_per_round_and_the_default_never_does(
    params, toy_dataset, tmp_path
):
    proxy = ProxySettings("saliency", threshold=0.5, weight=0.5, subset=0.5)
    params = toy_params(params, epochs_batch=32)
    fair = RunSpec("toy", "test_efficientnet", "basic", ("p", "p"), seed=0, proxy=proxy)
    leaky = RunSpec(
        "toy",
        "test_efficientnet",
        "basic",
        ("p", "p"),
        seed=0,
        proxy=proxy,
        resplit_each_round=True,
    )
    assert run(params, toy_dataset, tmp_path / "fair", fair)["protocol"]["splits_used"] == 1
    metrics = run(params, toy_dataset, tmp_path / "leaky", leaky)
    assert metrics["protocol"] == {"resplit_each_round": True, "splits_used": 3}
    assert metrics["run_id"].endswith("-resplit/seed~0")


@pytest.mark.parametrize("augmentation", ["basic", "cutout", "randaugment"])
def test_a_lambda_zero_proxy_run_equals_its_control_bit_for_bit(
    params, toy_dataset, tmp_path, augmentation
):
    """λ = 0 leaves every proxy image equal to its original, so the proxy step must change
    nothing else either: no random draw, no data order, no optimiser step differs; on the
    batched path, on its erasing, and on the per-sample loader."""
    params = toy_params(params)
    params["train"].update(hflip=0.5, rotation=10.0)  # the augmentations draw random numbers
    proxy = ProxySettings("saliency", threshold=0.3, weight=0.0, subset=0.5)
    schedule = (1, "p", "p", 1)
    spec = RunSpec("toy", "test_efficientnet", augmentation, schedule, seed=2, proxy=proxy)
    control = RunSpec("toy", "test_efficientnet", augmentation, schedule, seed=2)
    proxied = run(params, toy_dataset, tmp_path / "proxy", spec)
    plain = run(params, toy_dataset, tmp_path / "control", control)
    assert len(proxied["proxy_steps"]) == 2 and proxied["proxy_steps"][0]["chosen"] > 0
    accuracy = lambda m: [(e["train_loss"], e["val_accuracy"]) for e in m["epochs"]]  # noqa: E731
    assert accuracy(proxied) == accuracy(plain)
    assert proxied["test"] == plain["test"]
    ours = torch.load(tmp_path / "proxy" / CHECKPOINT, weights_only=True)["model"]
    theirs = torch.load(tmp_path / "control" / CHECKPOINT, weights_only=True)["model"]
    assert all(torch.equal(ours[name], theirs[name]) for name in theirs)
