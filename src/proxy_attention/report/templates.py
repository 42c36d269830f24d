"""The thesis' generated words: Jinja2 templates under thesis/templates/, filled from plain data.

Python decides the numbers and verdicts; a template decides the words around them, so a writer
rewords a finding or a caption in one .tex.j2 file without reading Python. Jinja2's own
delimiters ({{ }}, {% %}, {# #}) all occur in LaTeX, so the templates use << value >>,
<% statement %> and <# comment #>. A macro's text may wrap over lines as LaTeX source does: its
whitespace is collapsed to single spaces (``phrase``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from proxy_attention.layout import TEMPLATES_DIR
from proxy_attention.report.latex import escape

# The templates are the thesis's files, beside the chapters a writer edits; the package runs
# from the repository (an editable install), whose root holds src/ and thesis/.
TEMPLATES = Path(__file__).resolve().parents[3] / TEMPLATES_DIR
# The templates, by the generated files they word.
FINDINGS_WORDS = "findings.tex.j2"  # macros.tex: the findings sentences (plain text, escaped after)
EVALUATION_WORDS = "evaluation.tex.j2"  # evaluation.tex and appendix.tex: captions, notes
LEAK_WORDS = "leak.tex.j2"
EXPLAINABILITY_WORDS = "explainability.tex.j2"
COLOPHON_WORDS = "colophon.tex.j2"
NOTEBOOK_FIGURES_WORDS = "notebook_figures.tex.j2"  # saliency_figures.tex: one macro a notebook
AUGMENTATION_WORDS = "augmentations.tex.j2"  # gallery.tex and augmentation_costs.tex captions


def environment() -> jinja2.Environment:
    return _environment(TEMPLATES)


@cache
def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the build, not the sentence
        autoescape=False,
    )
    env.filters["latex"] = escape
    return env


def phrase(template: str, macro: str, **data: Any) -> str:
    """The text of ``macro`` in ``template`` for ``data``, on one line."""
    module = environment().get_template(template).module
    return " ".join(str(getattr(module, macro)(**data)).split())


def render(template: str, **data: Any) -> str:
    """``template`` filled with ``data``, its lines as written (LaTeX source)."""
    return environment().get_template(template).render(**data)
