"""Saliency figures, their pairs in params.yaml and the notebooks: real models, checked values."""

import json
from pathlib import Path

import jupytext
import matplotlib
import nbformat
import numpy as np
import pytest
import torch
import yaml

from proxy_attention.data.conversions import to_float
from proxy_attention.data.prepared import open_prepared
from proxy_attention.data.split import load_split
from proxy_attention.grid import expand_grid
from proxy_attention.params import ParamsError, validate_params
from proxy_attention.proxy.images import proxy_images
from proxy_attention.report.map_figures import (
    Gallery,
    comparison_figure,
    gallery_figure,
    heat_overlay,
    pick_images,
    steps_figure,
)
from proxy_attention.report.notebook_figures import (
    NOTEBOOKS,
    notebook_inputs,
    notebook_parameters,
    pair_slug,
    write_saliency_tex,
)
from proxy_attention.saliency import saliency_maps
from tests.helpers.checkpoints import reference_model, save_checkpoint
from tests.helpers.repo import ROOT


def shipped() -> dict:
    return yaml.safe_load((ROOT / "params.yaml").read_text())


# --- image choice and drawing helpers ---------------------------------------------------------


def test_pick_images_takes_classes_in_turn():
    labels = np.array([0, 0, 1, 1, 2, 0, 9, 9])
    indices = np.array([5, 0, 1, 2, 3, 4])  # unsorted on purpose; classes 0, 0, 1, 1, 2, 0
    assert pick_images(indices, labels, 4).tolist() == [0, 2, 4, 1]
    assert pick_images(indices, labels, 10).tolist() == [0, 2, 4, 1, 3, 5]


def test_heat_overlay_blends_the_inferno_colour_map():
    image = np.full((1, 2, 3), 0.4)
    overlay = heat_overlay(image, np.array([[0.0, 1.0]]), alpha=0.5)
    # inferno's published end points: (0.001462, 0.000466, 0.013866) and (0.988362, 0.998364,
    # 0.644924); half of each on top of half of the grey 0.4.
    np.testing.assert_allclose(overlay[0, 0], [0.200731, 0.200233, 0.206933], atol=1e-5)
    np.testing.assert_allclose(overlay[0, 1], [0.694181, 0.699182, 0.522462], atol=1e-5)


def test_pair_slug_is_latex_safe_and_keeps_grid_runs_apart():
    raw = shipped()
    raw["grid"]["proxy"].update(thresholds=[0.6, 0.06], weights=[0.8, 0.08])
    ids = [spec.run_id for spec in expand_grid(validate_params(raw))]
    slugs = [pair_slug(run_id) for run_id in ids]
    assert len(set(slugs)) == len(ids)
    assert all(set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789_-") for slug in slugs)
    assert pair_slug("d/m/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s3p2/seed~0") == (
        "d__m__aug-basic__proxy-gradcampp-t0-6-w0-8-f0-5-s3p2__seed-0"
    )


# --- params: explain and figures sections -----------------------------------------------------


def test_figure_pairs_default_to_the_first_proxy_run_and_are_checked():
    params = validate_params(shipped())
    first_proxy = next(s for s in expand_grid(params) if s.proxy is not None)
    assert params["figures"]["pairs"] == [first_proxy.run_id]
    assert "aug~basic" in first_proxy.run_id and first_proxy.run_id.endswith("seed~0")
    raw = shipped()
    raw["figures"]["pairs"] = []
    with pytest.raises(ParamsError, match=r"figures.pairs = \[\] lists no pair"):
        validate_params(raw)
    raw["figures"]["pairs"] = [first_proxy.control_id]
    with pytest.raises(ParamsError, match="is a control run, not a proxy run"):
        validate_params(raw)
    raw["figures"]["pairs"] = [first_proxy.run_id.replace("seed~0", "seed~7")]
    with pytest.raises(ParamsError, match="seed~7' is not in the grid"):
        validate_params(raw)


def test_each_notebook_gets_its_own_settings_and_inputs():
    params = validate_params(shipped())
    pair = params["figures"]["pairs"][0]
    spec = next(s for s in expand_grid(params) if s.run_id == pair)
    comparison = notebook_parameters("saliency_comparison", params, pair)
    assert comparison["control_run"] == spec.control_id
    checkpoint = comparison["figure"]["control_checkpoint"]
    assert checkpoint == f"data/runs/{spec.control_id}/checkpoint.pt"
    assert comparison["figure"]["method"] == params["explain"]["method"]
    gallery = notebook_parameters("proxy_gallery", params, pair)
    assert gallery["figure"]["method"] == spec.proxy.method  # the maps the proxy step would use
    assert gallery["figure"]["thresholds"] == params["figures"]["gallery"]["thresholds"]
    assert "images" in notebook_parameters("proxy_steps", params, pair)["figure"]
    assert notebook_inputs("proxy_steps", params, pair) == [
        f"data/runs/{pair}/metrics.json",
        f"data/prepared/{spec.dataset}",
    ]
    changed = validate_params(shipped())
    changed["figures"]["gallery"]["weights"] = [0.3]
    same = [
        notebook_parameters(n, params, pair) == notebook_parameters(n, changed, pair)
        for n in NOTEBOOKS
    ]
    assert same == [True, False, True]


# --- figures ---------------------------------------------------------------------------------


def _titles(fig, row: int, columns: int) -> list:
    return [ax.get_title() for ax in fig.axes[row * columns : (row + 1) * columns]]


def test_comparison_figure_shows_each_models_prediction_and_map(toy_dataset, tmp_path):
    prepared, split = toy_dataset
    control = save_checkpoint(tmp_path / "control.pt", "c", seed=1)
    proxy = save_checkpoint(tmp_path / "proxy.pt", "p", seed=2)
    fig = comparison_figure(proxy, control, prepared, split, "gradcam", images=4)
    data = open_prepared(prepared)
    chosen = np.sort(pick_images(load_split(split).test, data.labels, 4))
    images = to_float(torch.from_numpy(np.asarray(data.images[chosen])))
    assert len(fig.axes) == 3 * 4 + 1  # and the maps' colour bar
    assert fig.axes[-1].get_ylabel() == "map value (overlay at 50%)"
    assert fig.axes[-1].get_ylim() == (0.0, 1.0)
    for row, checkpoint in ((1, control), (2, proxy)):
        model = reference_model(checkpoint)
        with torch.no_grad():
            predicted = model(images).argmax(1)
        maps = saliency_maps(model, images, predicted, "gradcam")
        for column, ax in enumerate(fig.axes[row * 4 : (row + 1) * 4]):
            right = predicted[column].item() == data.labels[chosen[column]]
            assert ax.get_title().startswith(data.classes[predicted[column]])
            assert ax.title.get_color() == ("#1a7f37" if right else "#cf222e")
            want = heat_overlay(images[column].permute(1, 2, 0).numpy(), maps[column].numpy())
            np.testing.assert_allclose(ax.images[0].get_array(), want, atol=1e-5)
    assert _titles(fig, 0, 4) == [data.classes[label] for label in data.labels[chosen]]
    matplotlib.pyplot.close(fig)


def test_gallery_figure_shows_proxies_for_every_threshold_and_weight(toy_dataset, tmp_path):
    prepared, split = toy_dataset
    control = save_checkpoint(tmp_path / "control.pt", "c", seed=1)
    fig = gallery_figure(
        Gallery(
            control,
            prepared,
            split,
            "gradcam",
            [0.3, 0.7],
            [0.5, 1.0],
            images=2,
            subset="train",
            target="label",
        )
    )
    columns = 2 + 4
    assert len(fig.axes) == 2 * columns + 1
    assert fig.axes[-1].get_ylabel() == "gradcam map value"
    assert _titles(fig, 0, columns)[2:] == [
        "τ=0.3, λ=0.5",
        "τ=0.3, λ=1",
        "τ=0.7, λ=0.5",
        "τ=0.7, λ=1",
    ]
    data = open_prepared(prepared)
    chosen = np.sort(pick_images(load_split(split).train, data.labels, 2))
    images = to_float(torch.from_numpy(np.asarray(data.images[chosen])))
    maps = saliency_maps(reference_model(control), images, data.labels[chosen], "gradcam")
    want = proxy_images(images, maps, 0.7, 1.0)[1].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(fig.axes[columns + 5].images[0].get_array(), want, atol=1e-6)
    matplotlib.pyplot.close(fig)


def _write_step(step_dir: Path, originals, images, indices, targets, misclassified):
    step_dir.mkdir(parents=True)
    if len(indices):
        for name, array in (
            ("originals", originals),
            ("images", images),
            ("maps", np.zeros(originals.shape[:3], np.float32)),
        ):
            np.save(step_dir / f"{name}.npy", array)
    np.save(step_dir / "indices.npy", np.asarray(indices, dtype=np.int64))
    np.save(step_dir / "targets.npy", np.asarray(targets, dtype=np.int64))
    (step_dir / "record.json").write_text(
        json.dumps({"chosen": len(indices), "misclassified": misclassified})
    )


def test_steps_figure_puts_each_original_above_its_map_and_proxy(toy_dataset, tmp_path):
    prepared, _ = toy_dataset
    rng = np.random.default_rng(0)
    originals = rng.integers(0, 255, (3, 16, 16, 3), dtype=np.uint8)
    proxies = originals // 2
    maps = rng.random((3, 16, 16), dtype=np.float32)
    step = tmp_path / "run" / "proxy" / "step-01"
    _write_step(step, originals, proxies, [4, 5, 9], [2, 0, 1], 7)
    np.save(step / "maps.npy", maps)
    _write_step(tmp_path / "run" / "proxy" / "step-02", None, None, [], [], 0)
    fig = steps_figure(tmp_path / "run", prepared, images=2)
    axes = np.array(fig.axes[:-1]).reshape(6, 2)
    for column in range(2):
        assert np.array_equal(axes[0, column].images[0].get_array(), originals[column])
        assert np.array_equal(axes[1, column].images[0].get_array(), maps[column])
        assert axes[1, column].images[0].get_clim() == (0, 1)
        assert np.array_equal(axes[2, column].images[0].get_array(), proxies[column])
    labels = open_prepared(prepared).labels
    assert axes[0, 0].get_title() == f"{'abc'[labels[4]]}, map: c"
    assert axes[0, 0].get_ylabel() == "step 1\nbefore"
    assert axes[1, 0].get_ylabel() == "map"
    assert axes[2, 0].get_ylabel() == "after\n(3 of 7)"
    assert [t.get_text() for t in axes[3, 0].texts] == ["no image chosen"]
    assert fig.axes[-1].get_ylabel() == "map value"
    matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="no proxy steps"):
        steps_figure(tmp_path, prepared)


def test_saliency_tex_includes_every_pairs_figures(tmp_path):
    raw = shipped()
    raw["grid"]["proxy"]["thresholds"] = [0.6, 0.7]
    params = validate_params(raw)
    pairs = [s.run_id for s in expand_grid(params) if s.proxy is not None][:2]
    params["figures"]["pairs"] = pairs
    for pair in pairs:
        for name in NOTEBOOKS:
            path = tmp_path / "figures" / pair_slug(pair) / f"{name}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"%PDF " + name.encode())
    generated = tmp_path / "generated"
    tex_file, copies = generated / "saliency_figures.tex", generated / "saliency"
    copied = write_saliency_tex(params, tmp_path / "figures", tex_file, copies)
    tex = tex_file.read_text()
    assert len(copied) == 6 and tex.count(r"\includegraphics") == 6
    for path in copied:
        assert path.read_bytes().endswith(path.stem.encode())
        # as the thesis names it: relative to the thesis folder, which holds generated/
        assert f"{{generated/saliency/{path.parent.name}/{path.name}}}" in tex
    assert tex.count(r"\clearpage") == 1
    (tmp_path / "figures" / pair_slug(pairs[1]) / "proxy_steps.pdf").unlink()
    with pytest.raises(FileNotFoundError, match=f"proxy_steps notebook for {pairs[1]}"):
        write_saliency_tex(params, tmp_path / "figures", tex_file, copies)


# --- notebooks --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_pairs_are_in_sync_and_tagged(name):
    """notebooks/NAME.ipynb must be `jupytext --to ipynb notebooks/NAME.py` of the .py."""
    script = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)

    def cells(nb):
        return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]

    assert cells(notebook) == cells(script), f"run: jupytext --to ipynb notebooks/{name}.py"
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "parameters = None" in tagged[0].source
    assert notebook.metadata["kernelspec"]["name"] == "python3"
