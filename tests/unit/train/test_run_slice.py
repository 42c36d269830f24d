"""train_run is given the train slice of params and nothing else: what a run reads is what
the settings string Snakemake compares (slices.train_settings) declares."""

import copy
import json

import pytest

from proxy_attention.grid import RunSpec
from proxy_attention.slices import train_settings, train_slice
from proxy_attention.stamps import STAMP, stamp_text
from proxy_attention.train.resume import INPUTS, partial_dir
from proxy_attention.train.run import METRICS, run_inputs, train_run
from tests.unit.train.test_run import toy_params

SPEC = RunSpec("toy", "test_efficientnet", "basic", (1,), seed=0)


def test_the_settings_string_is_the_canonical_json_of_the_slice(params):
    run_params = train_slice(params)
    assert run_params.train is params["train"] and run_params.proxy is params["proxy"]
    expected = {"train": params["train"], "proxy": params["proxy"]}
    assert json.loads(train_settings(params)) == expected
    assert train_settings(params) == json.dumps(expected, sort_keys=True)


def test_only_a_key_inside_the_slice_changes_the_settings_string(params):
    before = train_settings(params)
    params["explain"]["method"] = "gradcam"
    params["report"]["confidence"] = 0.9
    params["grid"]["seeds"] = [5]
    params["figures"]["gallery"]["images"] = 1
    assert train_settings(params) == before
    params["proxy"]["selection"] = "hardest"
    assert train_settings(params) != before


@pytest.mark.parametrize("extra", [None, "explain", "datasets"])
def test_train_run_refuses_anything_but_its_slice(params, toy_dataset, tmp_path, extra):
    sliced = {"train": params["train"], "proxy": params["proxy"]}
    given = params if extra is None else {**sliced, extra: params[extra]}
    out = tmp_path / "run"
    with pytest.raises(TypeError, match=r"slices\.train_slice\(params\), not a dict"):
        train_run(SPEC, given, *toy_dataset, out, threads=1)
    assert not out.exists() and not partial_dir(out).exists()  # refused before any file


def test_a_run_given_exactly_its_slice_records_and_stamps_that_slice(params, toy_dataset, tmp_path):
    params = toy_params(params)
    run_params = train_slice(params)
    given = copy.deepcopy(run_params)
    entry = {"source": "digits", "image_size": 16}
    metrics = train_run(SPEC, run_params, *toy_dataset, tmp_path / "run", 1, entry)
    assert run_params == given  # training reads its slice and leaves it as it was
    assert metrics["train_settings"] == {**given.train, "batch_size": 16}
    assert len(metrics["epochs"]) == 1
    run = tmp_path / "run"
    # The stamp is the hash of the rule's settings string, so Snakemake and the run agree.
    assert (run / STAMP).read_text() == stamp_text(
        train_settings(params), SPEC.run_id, "train"
    ) + "\n"
    assert (run / INPUTS).read_text() == run_inputs(SPEC, given, entry, *toy_dataset)
    assert json.loads((run / METRICS).read_text())["run_id"] == SPEC.run_id
