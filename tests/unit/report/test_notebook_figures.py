"""The notebook-figure registry: one entry per notebook, each with its own inputs."""

import pytest
import yaml

from proxy_attention.grid import expand_grid
from proxy_attention.params import validate_params
from proxy_attention.report.notebook_figures import (
    NOTEBOOK_FIGURES,
    notebook_figure,
    notebook_inputs,
    notebook_parameters,
)
from tests.helpers.repo import ROOT


def shipped() -> dict:
    return validate_params(yaml.safe_load((ROOT / "params.yaml").read_text()))


def test_every_notebook_has_one_entry_and_every_entry_a_notebook():
    notebooks = sorted(path.stem for path in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(NOTEBOOK_FIGURES) == notebooks
    for name, entry in NOTEBOOK_FIGURES.items():
        assert entry.name == name and (ROOT / entry.notebook).exists()
        assert (ROOT / "notebooks" / f"{name}.py").exists()  # its jupytext pair
    labels = [entry.label for entry in NOTEBOOK_FIGURES.values()]
    assert len(set(labels)) == len(labels) and all(" " not in label for label in labels)


def test_an_unknown_notebook_is_named_with_the_choices():
    params = shipped()
    pair = params["figures"]["pairs"][0]
    with pytest.raises(ValueError, match=r"unknown notebook 'gallery'; choose one of \['sal"):
        notebook_parameters("gallery", params, pair)
    with pytest.raises(ValueError, match="unknown notebook"):
        notebook_figure("proxy-steps")


def test_each_entry_reads_only_the_runs_it_draws():
    params = shipped()
    pair = params["figures"]["pairs"][0]
    spec = next(s for s in expand_grid(params) if s.run_id == pair)
    marker = {pair: "m/proxy.json", spec.control_id: "m/control.json"}
    inputs = {
        name: notebook_inputs(name, params, pair, marker.__getitem__) for name in NOTEBOOK_FIGURES
    }
    split = f"data/splits/{spec.dataset}.npz"
    prepared = f"data/prepared/{spec.dataset}"
    assert inputs["saliency_comparison"] == ["m/proxy.json", "m/control.json", prepared, split]
    assert inputs["proxy_gallery"] == ["m/control.json", prepared, split]
    assert inputs["proxy_steps"] == ["m/proxy.json", prepared]
    # the parameters name the same files the inputs wait for
    gallery = notebook_parameters("proxy_gallery", params, pair)["figure"]
    assert gallery["control_checkpoint"] == f"data/runs/{spec.control_id}/checkpoint.pt"
    assert notebook_parameters("proxy_steps", params, pair)["figure"]["run_dir"] == (
        f"data/runs/{pair}"
    )


def test_a_control_run_is_no_pair():
    params = shipped()
    control = next(s.run_id for s in expand_grid(params) if s.proxy is None)
    with pytest.raises(ValueError, match="is a control run"):
        notebook_parameters("proxy_steps", params, control)
