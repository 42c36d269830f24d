"""TensorBoard's HParams data of a run, read back with TensorBoard's own event loader."""

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from proxy_attention.grid import ProxySettings, RunSpec
from proxy_attention.slices import train_slice
from proxy_attention.train.run import train_run
from tests.unit.train.test_run import toy_params


def read_hparams(logdir) -> tuple[dict, dict, dict]:
    """(hparams, metric tags of the experiment, last scalar per tag) of one TensorBoard run."""
    events = EventAccumulator(str(logdir))
    events.Reload()
    content = events.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(
        content["_hparams_/session_start_info"]
    ).session_start_info
    experiment = plugin_data_pb2.HParamsPluginData.FromString(
        content["_hparams_/experiment"]
    ).experiment
    hparams = {}
    for name, value in start.hparams.items():
        kind = value.WhichOneof("kind")
        hparams[name] = getattr(value, kind)
    tags = {info.name.tag for info in experiment.metric_infos}
    last = {tag: events.Scalars(tag)[-1].value for tag in events.Tags()["scalars"]}
    return hparams, tags, last


def test_a_proxy_run_writes_its_knobs_and_final_metrics(params, toy_dataset, tmp_path):
    prepared, split = toy_dataset
    proxy = ProxySettings("gradcam", threshold=0.6, weight=0.8, subset=0.5)
    spec = RunSpec("toy", "test_efficientnet", "basic", ("p", 1), seed=3, proxy=proxy)
    run_params = train_slice(toy_params(params))
    metrics = train_run(spec, run_params, prepared, split, tmp_path / "run", threads=1)
    hparams, tags, last = read_hparams(tmp_path / "run" / "tensorboard")
    assert hparams["model"] == "test_efficientnet" and hparams["schedule"] == "p 1"
    assert hparams["seed"] == 3 and hparams["proxy"] == "true"
    assert hparams["proxy_method"] == "gradcam"
    assert hparams["proxy_threshold"] == pytest.approx(0.6)
    assert hparams["proxy_subset"] == pytest.approx(0.5)
    assert tags == {
        "test/accuracy",
        "test/f1_macro",
        "test/loss",
        "timing/wall_seconds",
        "val/accuracy",
    }
    assert tags <= set(last)  # every metric of the HParams tab is a scalar of the same run
    assert last["test/accuracy"] == pytest.approx(metrics["test"]["accuracy"])
    assert last["test/f1_macro"] == pytest.approx(metrics["test"]["f1_macro"])
    assert last["val/accuracy"] == pytest.approx(metrics["epochs"][-1]["val_accuracy"])


def test_a_control_run_has_the_same_hparams_with_the_proxy_off(params, toy_dataset, tmp_path):
    prepared, split = toy_dataset
    spec = RunSpec("toy", "test_efficientnet", "cutmix", (2,), seed=0)
    train_run(spec, train_slice(toy_params(params)), prepared, split, tmp_path / "run", threads=1)
    hparams, _, _ = read_hparams(tmp_path / "run" / "tensorboard")
    assert hparams["proxy"] == "false" and hparams["proxy_method"] == "off"
    assert hparams["augmentation"] == "cutmix" and hparams["schedule"] == "2"
