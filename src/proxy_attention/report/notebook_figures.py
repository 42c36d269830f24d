"""The notebook figures: one registry entry per notebook of notebooks/, each drawn once per
figure pair of params.yaml (``figures.pairs``), and the thesis LaTeX that includes them.

An entry says what papermill injects into its notebook, which of the pair's files the notebook
reads (the rule's inputs), and how Snakemake's report captions it; the thesis caption is the
notebook's macro in thesis/templates/notebook_figures.tex.j2. Adding a figure
is one notebook plus one entry; workflow/rules/notebooks.smk runs every entry through one rule.
A notebook itself is its parameters, one call of its figure function and the figure
(figure_parameters, save_notebook_figure).
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from proxy_attention import layout
from proxy_attention.atomic import atomic_dir, write_text
from proxy_attention.grid import RunSpec, find_run
from proxy_attention.report.latex import escape, figure
from proxy_attention.report.templates import NOTEBOOK_FIGURES_WORDS, phrase

# What a notebook gets to build its figure arguments and captions from: the params, the
# proxy run's spec and the paths of the pair's files (pair_inputs).
Params = dict[str, Any]
Paths = dict[str, str]


@dataclass(frozen=True)
class NotebookFigure:
    """One notebook figure drawn per pair."""

    name: str  # notebooks/<name>.ipynb, and the stem of its PDF and PNG
    figure_args: Callable[[Params, RunSpec, Paths], dict[str, Any]]  # papermill's "figure"
    reads: tuple[str, ...]  # besides the prepared data: of "proxy", "control" (runs), "split"
    report_caption: str  # Snakemake's report, with {pair}
    report_label: str

    @property
    def notebook(self) -> str:
        return f"notebooks/{self.name}.ipynb"

    @property
    def label(self) -> str:
        """The LaTeX label stem; the pair's number follows it."""
        return "fig:" + self.name.replace("_", "-")


def _comparison_args(params: Params, spec: RunSpec, paths: Paths) -> dict[str, Any]:
    return {
        "proxy_checkpoint": paths["proxy_checkpoint"],
        "control_checkpoint": paths["control_checkpoint"],
        "prepared": paths["prepared"],
        "split": paths["split"],
        "method": params["explain"]["method"],
        "images": params["figures"]["comparison"]["images"],
        "target_layer": params["proxy"]["target_layer"],
        "device": params["train"]["device"],
    }


def _gallery_args(params: Params, spec: RunSpec, paths: Paths) -> dict[str, Any]:
    gallery = params["figures"]["gallery"]
    return {
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
        "target_layer": params["proxy"]["target_layer"],
        "device": params["train"]["device"],
    }


def _steps_args(params: Params, spec: RunSpec, paths: Paths) -> dict[str, Any]:
    return {
        "run_dir": layout.run_dir(spec.run_id),
        "prepared": paths["prepared"],
        "images": params["figures"]["steps"]["images"],
    }


NOTEBOOK_FIGURES: dict[str, NotebookFigure] = {
    entry.name: entry
    for entry in (
        NotebookFigure(
            "saliency_comparison",
            _comparison_args,
            reads=("proxy", "control", "split"),
            report_caption="Saliency maps of the same test images under the proxy run "
            "(``{pair}``) and its control.",
            report_label="saliency maps of the proxy run and its control",
        ),
        NotebookFigure(
            "proxy_gallery",
            _gallery_args,
            reads=("control", "split"),
            report_caption="Proxy images of pair ``{pair}`` across the thresholds and "
            "weights of ``figures.gallery``.",
            report_label="proxy images across thresholds and weights",
        ),
        NotebookFigure(
            "proxy_steps",
            _steps_args,
            reads=("proxy",),
            report_caption="The images of every proxy step of pair ``{pair}``: originals, "
            "saliency maps and the proxies that replaced them.",
            report_label="the images of every proxy step",
        ),
    )
}
NOTEBOOKS = tuple(NOTEBOOK_FIGURES)


def notebook_figure(name: str) -> NotebookFigure:
    if name not in NOTEBOOK_FIGURES:
        raise ValueError(f"unknown notebook {name!r}; choose one of {list(NOTEBOOKS)}")
    return NOTEBOOK_FIGURES[name]


def pair_slug(run_id: str) -> str:
    """A folder name for a proxy run id: safe for LaTeX paths (no ~, no dots), still readable.

    Folders become ``__`` (not ``--``, which LaTeX typesets as a dash in captions)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", run_id.replace("/", "__"))


def pair_dir(run_id: str, root: str = layout.FIGURES_ROOT) -> str:
    return f"{root}/{pair_slug(run_id)}"


def pair_inputs(params: Params, proxy_run: str) -> Paths:
    """Paths of everything a pair's figures read, by the pipeline's layout of data/."""
    spec = find_run(params, proxy_run)
    return {
        "proxy_checkpoint": layout.run_file(proxy_run, layout.CHECKPOINT),
        "control_checkpoint": layout.run_file(spec.control_id, layout.CHECKPOINT),
        "proxy_metrics": layout.run_file(proxy_run, layout.METRICS),
        "prepared": layout.prepared(spec.dataset),
        "split": layout.split(spec.dataset),
    }


def notebook_parameters(name: str, params: Params, proxy_run: str) -> dict[str, Any]:
    """The ``parameters`` papermill injects into notebook ``name`` for one pair (JSON-able)."""
    entry = notebook_figure(name)
    spec = find_run(params, proxy_run)
    if spec.proxy is None:
        raise ValueError(f"{proxy_run!r} is a control run; figure pairs are named by proxy runs")
    return {
        "proxy_run": proxy_run,
        "control_run": spec.control_id,
        "out_dir": pair_dir(proxy_run),
        "name": name,
        "figure": entry.figure_args(params, spec, pair_inputs(params, proxy_run)),
    }


def figure_parameters(
    name: str, params_file: str, proxy_run: str | None, injected: dict[str, Any] | None
) -> dict[str, Any]:
    """The parameters papermill ``injected``; run by hand (none), those of ``proxy_run``, by
    default the first pair."""
    from proxy_attention.params import load_params

    # The kernel must be the pipeline's environment; the executed notebook says which it was.
    print("kernel interpreter:", sys.executable)
    if injected is not None:
        return injected
    params = load_params(params_file)
    return notebook_parameters(name, params, proxy_run or params["figures"]["pairs"][0])


def save_notebook_figure(fig: Any, parameters: dict[str, Any]) -> str:
    """Write the notebook's figure as PDF and PNG where its parameters say; the PNG's path,
    for the notebook to show."""
    from proxy_attention.report.plotting import save_figure

    out_dir = Path(parameters["out_dir"])
    save_figure(fig, out_dir, parameters["name"])
    return str(out_dir / f"{parameters['name']}.png")


def notebook_inputs(
    name: str,
    params: Params,
    proxy_run: str,
    trained: Callable[[str], str] | None = None,
) -> list[str]:
    """The files notebook ``name`` depends on for one pair. A run counts as one file,
    ``trained(run_id)``: by default its metrics.json, which training writes last and atomically
    with the whole run folder; the marker of its bundle when runs are trained together."""
    entry = notebook_figure(name)
    spec = find_run(params, proxy_run)
    trained = trained or layout.run_file
    paths = pair_inputs(params, proxy_run)
    runs = {"proxy": spec.run_id, "control": spec.control_id}
    data = [paths["prepared"]] + ([paths["split"]] if "split" in entry.reads else [])
    return [trained(runs[role]) for role in entry.reads if role in runs] + data


def _run_in_tex(proxy_run: str) -> str:
    return r"\texttt{" + escape(proxy_run).replace("/", r"/\allowbreak ") + "}"


def _copy_figure(source: Path, target: Path, proxy_run: str) -> None:
    if not source.exists():
        raise FileNotFoundError(f"{source}: run the {source.stem} notebook for {proxy_run}")
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(source, target)


def write_saliency_tex(
    params: Params, figures_dir: str | Path, tex: str | Path, copies: str | Path
) -> list[Path]:
    """Copy every pair's figure PDFs into the folder ``copies`` and write ``tex``, which
    includes them (the thesis folder is ``tex``'s grandparent); return the copied files."""
    figures_dir, tex, copies = Path(figures_dir), Path(tex), Path(copies)
    pairs = params["figures"]["pairs"]
    parts = [f"% generated by `proxy-attention saliency-figures` from {figures_dir}; do not edit"]
    copied: list[Path] = []
    with atomic_dir(copies) as tmp:
        for number, proxy_run in enumerate(pairs, start=1):
            slug, spec = pair_slug(proxy_run), find_run(params, proxy_run)
            for entry in NOTEBOOK_FIGURES.values():
                pdf = Path(slug) / f"{entry.name}.pdf"
                _copy_figure(figures_dir / pdf, tmp / pdf, proxy_run)
                copied.append(copies / pdf)
                caption = phrase(
                    NOTEBOOK_FIGURES_WORDS, entry.name, params=params, proxy=asdict(spec.proxy),
                    run=_run_in_tex(proxy_run),
                )  # fmt: skip
                source = f"{figures_dir / slug / entry.name}.ipynb"
                path = layout.included_from(copies / pdf, tex)
                parts.append(figure(path, caption, f"{entry.label}-{number}", source))
            if number < len(pairs):
                parts.append(r"\clearpage")  # keeps many pairs' floats from piling up
    if not pairs:
        parts.append("% figures.pairs is empty: the grid has no proxy run to draw")
    write_text(tex, "\n".join(parts) + "\n")
    return copied
