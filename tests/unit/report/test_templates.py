"""The thesis' words come from thesis/templates/: LaTeX passes through the LaTeX-safe delimiters
untouched, a misspelt name fails, and a writer rewords the abstract's finding in one file."""

import shutil

import jinja2
import pytest

from proxy_attention.report import templates
from proxy_attention.report.build import add_labels
from proxy_attention.report.comparison import paired_runs, paired_summary
from proxy_attention.report.findings import findings_paragraphs
from proxy_attention.report.selection import choose_by_validation
from tests.helpers.result_tables import pair_rows, table


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A copy of the shipped templates that the report reads instead."""
    copy = tmp_path / "templates"
    shutil.copytree(templates.TEMPLATES, copy)
    monkeypatch.setattr(templates, "TEMPLATES", copy)
    return copy


def test_latex_braces_percent_and_hash_pass_through_the_delimiters(folder):
    (folder / "t.tex.j2").write_text("<# a comment #>\\caption{<< n >> runs, 95\\% CI}{#1}% why\n")
    assert templates.render("t.tex.j2", n=3) == "\\caption{3 runs, 95\\% CI}{#1}% why\n"
    (folder / "s.tex.j2").write_text(
        "<% macro s(x) %>\n  wrapped\n  over << x >>\n  lines.\n<% endmacro %>\n"
    )
    assert templates.phrase("s.tex.j2", "s", x="two") == "wrapped over two lines."


def test_a_misspelt_name_fails_instead_of_printing_nothing(folder):
    (folder / "t.tex.j2").write_text("<< runz >> runs\n")
    with pytest.raises(jinja2.UndefinedError, match="runz"):
        templates.render("t.tex.j2", runs=3)


def _abstract() -> str:
    runs = add_labels(table(pair_rows([0.80, 0.82, 0.84], [0.010, -0.012, 0.003])))
    paired = paired_summary(paired_runs(runs), 0.95)
    chosen = choose_by_validation(runs, 0.95)
    return findings_paragraphs(runs, paired, chosen, chosen.iloc[:0], 0.95)["Abstract"]


def test_a_writer_rewords_the_abstracts_finding_in_one_template(folder):
    shipped = _abstract()
    assert "neither improved nor degraded test accuracy detectably" in shipped
    path = folder / templates.FINDINGS_WORDS
    text = path.read_text()
    path.write_text(
        text.replace("In this build the proxy step neither improved nor degraded test accuracy "
                     "detectably", "Here the proxy step changed nothing measurable")
    )  # fmt: skip
    reworded = _abstract()
    assert "Here the proxy step changed nothing measurable; these seeds could" in reworded
    assert reworded.replace(
        "Here the proxy step changed nothing measurable", ""
    ) == shipped.replace(
        "In this build the proxy step neither improved nor degraded test accuracy detectably", ""
    )
