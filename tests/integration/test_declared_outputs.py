"""Every file the thesis includes from generated/ is an output the DAG declares."""

import re
from pathlib import Path

from proxy_attention import layout
from proxy_attention.params import load_params
from proxy_attention.report.notebook_figures import NOTEBOOK_FIGURES, pair_slug
from proxy_attention.report.views import figure_files, grid_runs, report_views
from tests.helpers.workflow import declared_outputs, undeclared

ROOT = Path(__file__).resolve().parents[2]
# \input{generated/x.tex}, \includegraphics[...]{generated/y.pdf}
INCLUDED = re.compile(r"\\(?:input|includegraphics)(?:\[[^\]]*\])?\{(generated/[^}]+)\}")


def thesis_includes() -> list[str]:
    sources = [*ROOT.glob("thesis/*.tex"), *ROOT.glob("thesis/chapters/*.tex")]
    found = {m[1] for source in sources for m in INCLUDED.finditer(source.read_text())}
    return sorted(f"thesis/{path}" for path in found)


def test_every_generated_input_of_the_thesis_is_a_declared_output():
    included = thesis_includes()
    assert "thesis/generated/macros.tex" in included and len(included) >= 10
    outputs = declared_outputs(ROOT)
    assert undeclared(included, outputs) == []
    # and the thesis rule waits for each of them (its input is layout.generated_files)
    params = load_params(ROOT / "params.yaml")
    figures = figure_files(report_views(grid_runs(params)).figures)
    assert set(included) <= set(layout.generated_files(params["grid"]["datasets"], figures))
    assert outputs[layout.THESIS_PDF] == "thesis"


def test_one_rule_draws_every_notebook_of_the_registry_for_every_pair():
    outputs = declared_outputs(ROOT)
    pairs = load_params(ROOT / "params.yaml")["figures"]["pairs"]
    expected = {
        f"{layout.NOTEBOOK_STEM}.{ext}".format(pair=pair_slug(pair), notebook=name)
        for pair in pairs
        for name in NOTEBOOK_FIGURES
        for ext in ("ipynb", "pdf", "png")
    }
    drawn = {path for path, rule in outputs.items() if rule == "notebook"}
    assert drawn == expected and len(drawn) == 9 * len(pairs)


def test_a_path_inside_a_directory_output_counts_as_declared():
    outputs = {"thesis/generated/saliency": "saliency_figures", "thesis/generated/a.tex": "r"}
    paths = ["thesis/generated/saliency/p/x.pdf", "thesis/generated/a.tex", "thesis/generated/b"]
    assert undeclared(paths, outputs) == ["thesis/generated/b"]
    assert undeclared(["thesis/generated/saliency-old/x.pdf"], outputs) == [
        "thesis/generated/saliency-old/x.pdf"
    ]
