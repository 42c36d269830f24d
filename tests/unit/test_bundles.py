"""Bundles: which runs share a job, and which of a bundle's runs a job makes again."""

import copy
import os
from pathlib import Path

import pytest

from proxy_attention.atomic import read_json
from proxy_attention.bundles import bundles, run_bundle
from proxy_attention.grid import expand_grid
from proxy_attention.params import ParamsError, load_params, validate_params
from proxy_attention.stamps import is_current, stamp

ROOT = Path(__file__).resolve().parents[2]
THESIS = load_params(ROOT / "workflow/configs/thesis.yaml")


def test_thesis_grid_bundles_cover_every_run_once_and_vary_only_threshold_and_weight():
    grouped = bundles(THESIS)
    runs = {spec.run_id: spec for spec in expand_grid(THESIS)}
    members = [run_id for run_ids in grouped.values() for run_id in run_ids]
    assert sorted(members) == sorted(runs) and len(members) == 21_690
    # 90 controls alone; each proxy (schedule, subset, clear) bundle holds 4 thresholds x 5 weights
    assert len(grouped) == 90 + 90 * 2 * 3 * 2 == 1170
    assert sorted({len(run_ids) for run_ids in grouped.values()}) == [1, 20]
    bundle_id = "food101/vgg16/aug~basic/proxy~gradcampp-tx-wx-f0.8-keep-s20-p-19/seed~2"
    specs = [runs[run_id] for run_id in grouped[bundle_id]]
    assert {(s.proxy.threshold, s.proxy.weight) for s in specs} == {
        (t, w) for t in (0.1, 0.4, 0.8, 0.85) for w in (0.1, 0.2, 0.4, 0.8, 0.95)
    }
    assert {
        (s.dataset, s.model, s.seed, s.proxy.subset, s.proxy.clear_every_step) for s in specs
    } == {("food101", "vgg16", 2, 0.8, False)}


def test_a_new_value_in_a_bundled_list_joins_the_existing_bundles():
    before = bundles(THESIS)
    grown = copy.deepcopy(THESIS)
    grown["grid"]["proxy"]["thresholds"].append(0.5)
    after = bundles(grown)
    assert set(after) == set(before)  # same ids: no job of a new name, none dropped
    for bundle_id, run_ids in before.items():
        assert set(run_ids) < set(after[bundle_id]) or len(run_ids) == 1  # controls stay
    new_runs = {r for ids in after.values() for r in ids} - {
        r for ids in before.values() for r in ids
    }
    assert len(new_runs) == 90 * 2 * 5 * 3 * 2 and all("-t0.5-" in run_id for run_id in new_runs)


def test_seeds_trained_together_and_the_default_of_one_run_per_job():
    params = load_params(ROOT / "params.yaml")
    assert params["grid"]["train_together"] == []
    assert all([bundle_id] == run_ids for bundle_id, run_ids in bundles(params).items())
    params["grid"]["train_together"] = ["seeds"]
    grouped = bundles(params)
    # 2 augmentations x (control, proxy) and the leak check's fixed and re-split twins
    assert len(grouped) == 4 + 2 and all(len(run_ids) == 3 for run_ids in grouped.values())
    assert all(bundle_id.endswith("/seed~x") for bundle_id in grouped)


def test_augmentations_trained_together_share_a_job_per_arm():
    params = load_params(ROOT / "params.yaml")
    params["grid"].update(augmentations=["basic", "gridmask", "randaugment+cutmix"], seeds=[0])
    params["grid"]["train_together"] = ["augmentations"]
    params["grid"]["leak_check"] = {}
    grouped = bundles(params)
    # the controls in one job, the proxy runs in another; each holds every augmentation
    assert len(grouped) == 2 and all(len(run_ids) == 3 for run_ids in grouped.values())
    assert all("/aug~x/" in bundle_id for bundle_id in grouped)
    control = next(ids for bundle_id, ids in grouped.items() if "/proxy~off-" in bundle_id)
    assert [run_id.split("/")[2] for run_id in control] == [
        "aug~basic",
        "aug~gridmask",
        "aug~randaugment+cutmix",
    ]


def test_only_grid_lists_can_be_trained_together_and_dataset_names_avoid_the_marker_folder():
    raw = load_params(ROOT / "params.yaml")
    raw["grid"]["train_together"] = ["models"]
    with pytest.raises(ParamsError, match="train_together"):
        validate_params(raw)
    raw = load_params(ROOT / "params.yaml")
    raw["datasets"]["_bundles"] = raw["datasets"]["digits"]
    with pytest.raises(ParamsError, match="_bundles"):
        validate_params(raw)


class FakeStep:
    """Writes a result per run, as training does, and records which runs it made."""

    def __init__(self, root: Path):
        self.root, self.made = root, []

    def result(self, run_id: str) -> Path:
        return self.root / run_id / "metrics.json"

    def __call__(self, run_id: str) -> None:
        self.made.append(run_id)
        self.result(run_id).parent.mkdir(parents=True, exist_ok=True)
        self.result(run_id).write_text("{}")


def test_a_bundle_job_makes_only_the_runs_that_are_not_current(tmp_path):
    split = tmp_path / "split.npz"
    split.write_bytes(b"split")
    os.utime(split, (1_000, 1_000))
    step, marker = FakeStep(tmp_path / "runs"), tmp_path / "marker.json"

    def bundle(run_ids, settings="s1"):
        step.made = []
        run_bundle(run_ids, settings, "train", step.result, lambda run_id: [split], step, marker)
        return step.made

    assert bundle(["a", "b"]) == ["a", "b"]
    assert [r["status"] for r in read_json(marker)["runs"]] == ["made", "made"]
    assert bundle(["a", "b", "c"]) == ["c"]  # a value added to a bundled list
    assert [r["status"] for r in read_json(marker)["runs"]] == ["current", "current", "made"]
    assert bundle(["a", "b", "c"], settings="s2") == ["a", "b", "c"]  # e.g. a new learning rate
    os.utime(step.result("b"), (500, 500))  # older than the split: made from older data
    assert bundle(["a", "b", "c"], settings="s2") == ["b"]
    step.result("c").parent.joinpath("settings.sha256").unlink()
    assert bundle(["a", "b", "c"], settings="s2") == ["c"]  # never stamped: made again


def test_a_stamp_belongs_to_one_run_and_one_set_of_settings(tmp_path):
    result = tmp_path / "run" / "metrics.json"
    result.parent.mkdir()
    result.write_text("{}")
    assert not is_current(result, "s", "run", "train", [])
    stamp(result, "s", "run", "train")
    assert is_current(result, "s", "run", "train", [])
    assert not is_current(result, "s", "other-run", "train", [])
    assert not is_current(result, "t", "run", "train", [])
    assert not is_current(result, "s", "run", "explain", [])  # another step's code


def test_a_stamp_made_by_other_code_is_not_current(tmp_path, monkeypatch):
    result = tmp_path / "run" / "metrics.json"
    result.parent.mkdir()
    result.write_text("{}")
    run_id = "digits/m/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s1-p-1/seed~0"
    stamp(result, "s", run_id, "train")
    assert is_current(result, "s", run_id, "train", [])
    # the same step and run, after a change to the code the run executes (code_digest.py)
    monkeypatch.setattr(
        "proxy_attention.stamps.run_digest", lambda step, run_id: "0123456789abcdef"
    )
    assert not is_current(result, "s", run_id, "train", [])
