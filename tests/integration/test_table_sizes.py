"""No generated table prints its text below 7 pt, the size the figures guarantee: LaTeX itself
reports the size it printed each table at (thesis/fittable.sty), typeset with the thesis's own
preamble, on the embedded default's simulated results and on hand-made tables."""

import os
import re
import subprocess
from pathlib import Path

import pandas as pd

from proxy_attention.params import load_params
from proxy_attention.report.latex import booktabs_table
from tests.helpers.repo import ROOT
from tests.helpers.simulated_runs import simulated_report

THESIS = ROOT / "thesis"
PRINTED = re.compile(r"^fittable: (\S+) ([\d.]+)pt (portrait|landscape)$", re.M)


def typeset(folder: Path, files: list[str]) -> dict[str, tuple[float, str]]:
    """Label -> (printed text size in pt, page orientation) of every \\FitTable in ``files``
    (under folder/generated), typeset after thesis.tex's preamble (which inputs macros.tex)."""
    thesis = (THESIS / "thesis.tex").read_text()
    preamble = thesis[: thesis.index(r"\begin{document}")]
    body = "".join(rf"\input{{generated/{name}}}" + "\n" for name in files)
    (folder / "sizes.tex").write_text(preamble + "\\begin{document}\n" + body + "\\end{document}\n")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "sizes.tex"],
        cwd=folder,
        env={**os.environ, "TEXINPUTS": f"{THESIS}{os.pathsep}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = (folder / "sizes.log").read_text(errors="replace")
    assert done.returncode == 0, log[-3000:]
    return {label: (float(size), page) for label, size, page in PRINTED.findall(log)}


def test_every_table_of_the_embedded_default_prints_at_7_pt_or_more(tmp_path):
    params = load_params(ROOT / "params.yaml")  # the shipped grid, leak check included
    simulated_report(params, tmp_path)
    printed = typeset(
        tmp_path, ["evaluation.tex", "explainability.tex", "leak.tex", "appendix.tex"]
    )
    assert {"tab:results", "tab:paired", "tab:leak", "tab:explainability"} <= set(printed)
    small = {label: size for label, (size, _) in printed.items() if size < 7.0}
    assert small == {}
    # The leak table is too wide for a portrait line at 7 pt: it gets a landscape page.
    assert printed["tab:leak"][1] == "landscape"


def test_a_table_fits_the_line_is_shrunk_to_it_or_turns_landscape(tmp_path):
    def table(label: str, columns: int) -> str:
        frame = pd.DataFrame({f"Column {k}": ["0123456789"] for k in range(columns)})
        return booktabs_table(frame, "A table.", label, "made by hand", size=r"\small")

    (tmp_path / "generated").mkdir()
    tex = "\n".join(table(label, n) for label, n in (("narrow", 2), ("wide", 9), ("widest", 13)))
    (tmp_path / "generated" / "tables.tex").write_text(tex)
    (tmp_path / "generated" / "macros.tex").write_text("")  # the preamble inputs it
    printed = typeset(tmp_path, ["tables.tex"])
    assert printed["narrow"] == (10.0, "portrait")  # \small of the 11 pt thesis, unscaled
    assert 7.0 <= printed["wide"][0] < 10.0 and printed["wide"][1] == "portrait"
    assert printed["widest"][1] == "landscape" and printed["widest"][0] >= 7.0
