"""The explain step, its params checks and its way into the run table and the thesis."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from proxy_attention.checkpoint import load_classifier
from proxy_attention.data.conversions import to_float
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.split import load_split
from proxy_attention.errors import UserError
from proxy_attention.explain.measure import (
    PER_IMAGE,
    ExplainMethodError,
    check_method,
    measure_run,
    select_images,
)
from proxy_attention.grid import ProxySettings, RunSpec
from proxy_attention.params import ParamsError, validate_params
from proxy_attention.report.aggregate import with_explanations
from proxy_attention.report.explainability import explainability_table, write_explainability
from proxy_attention.slices import explain_slice
from tests.helpers.checkpoints import reference_model, save_checkpoint
from tests.helpers.repo import ROOT

PROXY = ProxySettings("gradcampp", 0.6, 0.8, 0.5)


def shipped() -> dict:
    return yaml.safe_load((ROOT / "params.yaml").read_text())


def test_explain_method_may_not_be_a_proxy_method_of_the_grid():
    raw = shipped()
    raw["explain"]["method"] = raw["grid"]["proxy"]["methods"][0]
    with pytest.raises(ParamsError, match="explain.method = 'gradcampp' is also a proxy method"):
        validate_params(raw)
    run = RunSpec("d", "m", "basic", (1, "p"), 0, PROXY)
    with pytest.raises(ExplainMethodError, match="proxy method of run"):
        check_method(run, "gradcampp")
    check_method(run, "eigengradcam")  # a different method is fine, and so is any control
    check_method(RunSpec("d", "m", "basic", (2,), 0), "gradcampp")


def test_load_classifier_restores_the_weights_and_names_bad_files(tmp_path):
    path = save_checkpoint(tmp_path / "checkpoint.pt", "run/x", seed=4)
    model, meta = load_classifier(path)
    images = torch.rand(2, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(model(images), reference_model(path)(images))
    assert meta == {
        "arch": "test_efficientnet",
        "num_classes": 3,
        "image_size": 16,
        "classes": ["a", "b", "c"],
        "run_id": "run/x",
    }
    assert not model.training
    with pytest.raises(UserError, match="no such checkpoint"):
        load_classifier(tmp_path / "missing.pt")
    torch.save({"model": {}}, tmp_path / "bare.pt")
    with pytest.raises(UserError, match="no bare.json beside it"):
        load_classifier(tmp_path / "bare.pt")
    digest = hashlib.sha256((tmp_path / "bare.pt").read_bytes()).hexdigest()
    (tmp_path / "bare.json").write_text(json.dumps({"sha256": digest, "arch": "x", "run_id": "y"}))
    with pytest.raises(UserError, match="missing keys"):
        load_classifier(tmp_path / "bare.pt")


def test_select_images_is_stratified_deterministic_or_first():
    labels = np.repeat([0, 1, 2], [20, 10, 10])
    indices = np.arange(40)
    chosen = select_images(indices, labels, 8, seed=0)
    assert np.array_equal(chosen, np.sort(chosen))
    assert np.bincount(labels[chosen]).tolist() == [4, 2, 2]
    assert np.array_equal(chosen, select_images(indices[::-1], labels, 8, seed=0))
    assert select_images(indices, labels, 50, seed=0).tolist() == list(range(40))
    single = np.array([0, 0, 0, 1])  # class 1 has one image: no stratified split exists
    assert select_images(np.arange(4), single, 3, seed=0).tolist() == [0, 1, 2]


def test_measure_run_writes_means_of_the_per_image_arrays(params, toy_dataset, tmp_path):
    prepared, split = toy_dataset
    spec = RunSpec("toy", "test_efficientnet", "basic", (1, "p"), 0, PROXY)
    checkpoint = save_checkpoint(tmp_path / "checkpoint.pt", spec.run_id, seed=0)
    params["explain"].update(method="gradcam", max_images=9, steps=4, batch_size=4)
    out = tmp_path / "explain" / "metrics.json"
    result = measure_run(spec, explain_slice(params), checkpoint, prepared, split, out)
    arrays = {name: np.load(out.parent / f"{name}.npy") for name in PER_IMAGE}
    data, test = open_prepared(prepared), load_split(split).test
    assert result["images"] == 9 and len(test) == 18
    assert np.isin(arrays["indices"], test).all()
    assert np.array_equal(arrays["label"], data.labels[arrays["indices"]])
    saved = json.loads(out.read_text())
    for name in ("deletion_auc", "insertion_auc", "average_drop", "increase_in_confidence"):
        assert saved["mean"][name] == pytest.approx(arrays[name].mean(), rel=1e-6)
    model = reference_model(checkpoint)
    with torch.no_grad():
        logits = model(to_float(torch.from_numpy(np.asarray(data.images[arrays["indices"]]))))
    assert np.array_equal(arrays["target"], logits.argmax(1).numpy())
    right = (arrays["target"] == arrays["label"]).mean()
    assert saved["accuracy_on_images"] == pytest.approx(right)
    with pytest.raises(ExplainMethodError):
        params["explain"]["method"] = "gradcampp"
        measure_run(spec, explain_slice(params), checkpoint, prepared, split, out)


def test_explanations_join_the_run_table_by_run_id(tmp_path):
    runs = pd.DataFrame({"run_id": ["b", "a"], "test_accuracy": [0.5, 0.7]})
    for run_id, value in (("a", 0.25), ("b", 0.75)):
        metrics = {
            "run_id": run_id,
            "method": "eigengradcam",
            "images": 8,
            "mean": {
                "deletion_auc": value,
                "insertion_auc": 1 - value,
                "average_drop": value / 2,
                "increase_in_confidence": 0.5,
            },
        }
        (tmp_path / f"{run_id}.json").write_text(json.dumps(metrics))
    joined = with_explanations(runs, [tmp_path / "a.json", tmp_path / "b.json"])
    assert joined["deletion_auc"].tolist() == [0.75, 0.25]
    assert joined["explain_method"].tolist() == ["eigengradcam"] * 2
    assert with_explanations(runs, []).equals(runs)
    with pytest.raises(ValueError, match="unmatched"):
        with_explanations(runs.iloc[:1], [tmp_path / "a.json"])


def test_explainability_table_gives_mean_and_t_interval(tmp_path):
    runs = pd.DataFrame(
        {
            "label": ["x"] * 3 + ["y"],
            "deletion_auc": [0.1, 0.2, 0.3, 0.5],
            "insertion_auc": [0.6, 0.6, 0.6, 0.4],
            "average_drop": [0.1, 0.2, 0.3, 0.5],
            "increase_in_confidence": [0.0, 0.5, 1.0, 0.25],
            "explain_method": "eigengradcam",
            "explain_images": 8,
            "seed": [0, 1, 2, 0],
        }
    )
    table = explainability_table(runs, 0.95)
    # half width t(0.975, 2) * s / sqrt(3) = 4.302653 * 0.1 / 1.732051 = 0.248414; the lower
    # end, -0.048, lies below any possible AUC and is clipped to the range [0, 1].
    assert table.loc[0, "Deletion AUC"] == "0.200 [0.000, 0.448]"
    assert table.loc[0, "Insertion AUC"] == "0.600 [0.600, 0.600]"
    assert table.loc[0, "Average drop, %"] == "20.0 [0.0, 44.8]"
    assert table.loc[0, "Increase in confidence, %"] == "50.0 [0.0, 100.0]"  # +-124 points
    assert table.loc[1].tolist() == ["y", 1, "0.500", "0.400", "50.0", "25.0"]
    write_explainability(runs, 0.95, tmp_path / "results", tmp_path / "generated", True)
    tex = (tmp_path / "generated" / "explainability.tex").read_text()
    assert r"\toprule" in tex and "explainability.pdf" in tex and "runs.csv" in tex
    assert (tmp_path / "generated" / "figures" / "explainability.png").stat().st_size > 1000
    write_explainability(runs.drop(columns="deletion_auc"), 0.95, tmp_path, tmp_path / "none", True)
    assert "no explanation metrics" in (tmp_path / "none" / "explainability.tex").read_text()
