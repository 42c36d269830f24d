"""measure_run is given the explain slice of params and nothing else, and the dataset's
entry, whose source sets the blur baseline's native resolution."""

import json

import pytest

from proxy_attention.explain.faithfulness import blur_sigma
from proxy_attention.explain.measure import measure_run
from proxy_attention.grid import RunSpec
from proxy_attention.slices import explain_settings, explain_slice
from tests.helpers.checkpoints import save_checkpoint

SPEC = RunSpec("toy", "test_efficientnet", "basic", (1,), 0)


def test_the_settings_string_is_the_canonical_json_of_the_slice(params):
    step_params = explain_slice(params)
    expected = {"explain": params["explain"], "target_layer": params["proxy"]["target_layer"]}
    assert step_params.explain is params["explain"]
    assert json.loads(explain_settings(params)) == expected
    assert explain_settings(params) == json.dumps(expected, sort_keys=True)
    before = explain_settings(params)
    params["train"]["optimizer"]["lr"] = 0.5
    params["proxy"]["selection"] = "hardest"  # proxy knobs other than the CAM layer
    assert explain_settings(params) == before
    params["proxy"]["target_layer"] = "conv_head"
    assert explain_settings(params) != before


def test_measure_run_refuses_the_whole_params_and_keeps_the_old_result(
    params, toy_dataset, tmp_path
):
    checkpoint = save_checkpoint(tmp_path / "checkpoint.pt", SPEC.run_id, seed=0)
    out = tmp_path / "explain" / "metrics.json"
    out.parent.mkdir()
    out.write_text('{"run_id": "earlier"}')
    with pytest.raises(TypeError, match=r"slices\.explain_slice\(params\), not a dict"):
        measure_run(SPEC, params, checkpoint, *toy_dataset, out)
    assert json.loads(out.read_text()) == {"run_id": "earlier"}


@pytest.mark.parametrize(("entry", "native"), [(None, None), ({"source": "cifar100"}, 32)])
def test_the_dataset_entry_sets_the_native_size_of_the_blur(
    params, toy_dataset, tmp_path, entry, native
):
    checkpoint = save_checkpoint(tmp_path / "checkpoint.pt", SPEC.run_id, seed=0)
    params["explain"].update(method="gradcam", max_images=3, steps=2, batch_size=3)
    out = tmp_path / "explain" / "metrics.json"
    step_params = explain_slice(params)
    result = measure_run(SPEC, step_params, checkpoint, *toy_dataset, out, "cpu", entry)
    assert result["blur_sigma_px"] == blur_sigma(16, native)
    assert result["images"] == 3
