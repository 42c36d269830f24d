"""The cost of a proxy run: the proxy step's own time, measured inside the run, and nothing else."""

import time

import pytest

from proxy_attention.grid import ProxySettings, RunSpec
from proxy_attention.slices import train_slice
from proxy_attention.train import run as run_module
from proxy_attention.train.run import train_run
from tests.unit.train.test_run import toy_params

STEP, LOGGING = 0.25, 0.4  # seconds the stand-ins below take


def test_proxy_seconds_cover_the_proxy_step_and_not_its_logging(
    params, toy_dataset, tmp_path, monkeypatch
):
    def proxy_step(*args, **kwargs):
        time.sleep(STEP)
        return {"misclassified": 0, "chosen": 0, "fraction_pixels_changed": 0.0}

    monkeypatch.setattr(run_module, "run_proxy_step", proxy_step)
    monkeypatch.setattr(run_module, "_log_proxy_step", lambda *args: time.sleep(LOGGING))
    prepared, split = toy_dataset
    proxy = ProxySettings("saliency", threshold=0.5, weight=0.5, subset=0.5)
    spec = RunSpec("toy", "test_efficientnet", "basic", (1, "p", "p", 1), seed=0, proxy=proxy)
    run_params = train_slice(toy_params(params))
    metrics = train_run(spec, run_params, prepared, split, tmp_path / "run", threads=1)
    per_epoch = [e["proxy_seconds"] for e in metrics["epochs"]]
    assert per_epoch[0] == per_epoch[3] == 0.0
    assert all(STEP <= s < STEP + 0.1 for s in per_epoch[1:3])  # the logging is not counted
    timing = metrics["timing"]
    assert timing["proxy_seconds"] == pytest.approx(sum(per_epoch))
    assert timing["train_seconds"] == pytest.approx(
        sum(e["train_seconds"] for e in metrics["epochs"])
    )
    # Training epochs, proxy steps and logging all lie inside the run's wall time.
    assert timing["wall_seconds"] > timing["train_seconds"] + timing["proxy_seconds"] + 2 * LOGGING
