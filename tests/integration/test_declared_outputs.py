"""Every file the thesis includes from generated/ is an output the DAG declares."""

import re
from pathlib import Path

from proxy_attention import layout
from proxy_attention.params import load_params
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
    datasets = load_params(ROOT / "params.yaml")["grid"]["datasets"]
    assert set(included) <= set(layout.generated_files(datasets))
    assert outputs[layout.THESIS_PDF] == "thesis"


def test_a_path_inside_a_directory_output_counts_as_declared():
    outputs = {"thesis/generated/saliency": "saliency_figures", "thesis/generated/a.tex": "r"}
    paths = ["thesis/generated/saliency/p/x.pdf", "thesis/generated/a.tex", "thesis/generated/b"]
    assert undeclared(paths, outputs) == ["thesis/generated/b"]
    assert undeclared(["thesis/generated/saliency-old/x.pdf"], outputs) == [
        "thesis/generated/saliency-old/x.pdf"
    ]
