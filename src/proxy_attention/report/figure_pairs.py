"""The figure pairs of params.yaml: each notebook's parameters and inputs, and the thesis LaTeX."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proxy_attention.atomic import atomic_dir, write_text
from proxy_attention.grid import find_run
from proxy_attention.report.latex import escape, figure

FIGURES_ROOT = "data/figures"
NOTEBOOKS = ("saliency_comparison", "proxy_gallery", "proxy_steps")
SALIENCY_TEX = "saliency_figures.tex"
THESIS_SUBDIR = "figures/saliency"  # inside thesis/generated, so the thesis needs nothing else


def pair_slug(run_id: str) -> str:
    """A folder name for a proxy run id: safe for LaTeX paths (no ~, no dots), still readable.

    Folders become ``__`` (not ``--``, which LaTeX typesets as a dash in captions)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", run_id.replace("/", "__"))


def pair_dir(run_id: str, root: str = FIGURES_ROOT) -> str:
    return f"{root}/{pair_slug(run_id)}"


def pair_inputs(params: dict[str, Any], proxy_run: str) -> dict[str, str]:
    """Paths of everything a pair's figures read, by the pipeline's layout of data/."""
    spec = find_run(params, proxy_run)
    return {
        "proxy_checkpoint": f"data/runs/{proxy_run}/checkpoint.pt",
        "control_checkpoint": f"data/runs/{spec.control_id}/checkpoint.pt",
        "proxy_metrics": f"data/runs/{proxy_run}/metrics.json",
        "prepared": f"data/prepared/{spec.dataset}",
        "split": f"data/splits/{spec.dataset}.npz",
    }


def notebook_parameters(name: str, params: dict[str, Any], proxy_run: str) -> dict[str, Any]:
    """The ``settings`` papermill injects into notebook ``name`` for one pair (JSON-able)."""
    spec = find_run(params, proxy_run)
    if spec.proxy is None:
        raise ValueError(f"{proxy_run!r} is a control run; figure pairs are named by proxy runs")
    paths = pair_inputs(params, proxy_run)
    common = {
        "proxy_run": proxy_run,
        "control_run": spec.control_id,
        "out_dir": pair_dir(proxy_run),
        "name": name,
    }
    device = params["train"]["device"]
    layer = params["proxy"]["target_layer"]
    figures = params["figures"]
    if name == "saliency_comparison":
        figure_args = {
            "proxy_checkpoint": paths["proxy_checkpoint"],
            "control_checkpoint": paths["control_checkpoint"],
            "prepared": paths["prepared"],
            "split": paths["split"],
            "method": params["explain"]["method"],
            "images": figures["comparison"]["images"],
            "target_layer": layer,
            "device": device,
        }
    elif name == "proxy_gallery":
        gallery = figures["gallery"]
        figure_args = {
            "control_checkpoint": paths["control_checkpoint"],
            "prepared": paths["prepared"],
            "split": paths["split"],
            "method": spec.proxy.method,
            "thresholds": gallery["thresholds"],
            "weights": gallery["weights"],
            "images": gallery["images"],
            "subset": gallery["split"],
            "mode": spec.proxy.mode,
            "target": params["proxy"]["target"],
            "target_layer": layer,
            "device": device,
        }
    elif name == "proxy_steps":
        figure_args = {
            "run_dir": f"data/runs/{proxy_run}",
            "prepared": paths["prepared"],
            "images": figures["steps"]["images"],
        }
    else:
        raise ValueError(f"unknown notebook {name!r}; choose one of {list(NOTEBOOKS)}")
    return {**common, "figure": figure_args}


def notebook_inputs(
    name: str,
    params: dict[str, Any],
    proxy_run: str,
    trained: Callable[[str], str] | None = None,
) -> list[str]:
    """The files notebook ``name`` depends on for one pair. A run counts as one file,
    ``trained(run_id)``: by default its metrics.json, which training writes last and atomically
    with the whole run folder; the marker of its bundle when runs are trained together."""
    spec = find_run(params, proxy_run)
    trained = trained or (lambda run_id: f"data/runs/{run_id}/metrics.json")
    paths = pair_inputs(params, proxy_run)
    runs = {
        "saliency_comparison": [proxy_run, spec.control_id],
        "proxy_gallery": [spec.control_id],
        "proxy_steps": [proxy_run],
    }[name]
    data = [paths["prepared"]] + ([paths["split"]] if name != "proxy_steps" else [])
    return list(dict.fromkeys(trained(run_id) for run_id in runs)) + data


def _listed(values: list[float]) -> str:
    return ", ".join(f"{value:g}" for value in values)


def _captions(params: dict[str, Any], proxy_run: str) -> dict[str, str]:
    spec = find_run(params, proxy_run)
    run = r"\texttt{" + escape(proxy_run).replace("/", r"/\allowbreak ") + "}"
    gallery = params["figures"]["gallery"]
    method = escape(params["explain"]["method"])
    return {
        "saliency_comparison": (
            f"Saliency maps ({method}) of the predicted class on "
            f"{params['figures']['comparison']['images']} test images, for the control (middle "
            f"row) and the proxy run {run} (bottom row). A green title marks a right prediction, "
            "a red one a wrong prediction."
        ),
        "proxy_gallery": (
            f"Proxy images ({escape(spec.proxy.mode)} mode) of {gallery['images']} "
            f"{gallery['split']} images, from the {escape(spec.proxy.method)} maps of the control "
            f"of {run}, at thresholds $\\tau \\in \\{{{_listed(gallery['thresholds'])}\\}}$ and "
            f"weights $\\lambda \\in \\{{{_listed(gallery['weights'])}\\}}$."
        ),
        "proxy_steps": (
            f"Training images chosen at each proxy step of {run}: the original (upper row), the "
            "saliency map the step made of it (middle row; the colour bar gives its values) and "
            "the proxy that replaced it (lower row). Titles name the true class and the class the "
            "map explains; the row label counts the chosen among the misclassified images."
        ),
    }


def write_saliency_tex(
    params: dict[str, Any], figures_dir: str | Path, out_dir: str | Path
) -> list[Path]:
    """Copy every pair's figure PDFs into ``out_dir``/figures/saliency and write
    ``out_dir``/saliency_figures.tex that includes them; return the copied files."""
    figures_dir, out_dir = Path(figures_dir), Path(out_dir)
    pairs = params["figures"]["pairs"]
    parts = [f"% generated by `proxy-attention saliency-figures` from {figures_dir}; do not edit"]
    copied: list[Path] = []
    with atomic_dir(out_dir / THESIS_SUBDIR) as tmp:
        for number, proxy_run in enumerate(pairs):
            slug = pair_slug(proxy_run)
            captions = _captions(params, proxy_run)
            for name in NOTEBOOKS:
                source = figures_dir / slug / f"{name}.pdf"
                if not source.exists():
                    raise FileNotFoundError(f"{source}: run the {name} notebook for {proxy_run}")
                (tmp / slug).mkdir(exist_ok=True)
                shutil.copyfile(source, tmp / slug / f"{name}.pdf")
                copied.append(out_dir / THESIS_SUBDIR / slug / f"{name}.pdf")
                label = f"fig:{name.replace('_', '-')}-{number + 1}"
                parts.append(
                    figure(
                        f"generated/{THESIS_SUBDIR}/{slug}/{name}.pdf",
                        captions[name],
                        label,
                        f"{figures_dir / slug / name}.ipynb",
                    )
                )
            if number + 1 < len(pairs):
                parts.append(r"\clearpage")  # keeps many pairs' floats from piling up
    if not pairs:
        parts.append("% figures.pairs is empty: the grid has no proxy run to draw")
    write_text(out_dir / SALIENCY_TEX, "\n".join(parts) + "\n")
    return copied
