"""Small LaTeX writers: booktabs tables from pandas, numeric macros, figure environments."""

from __future__ import annotations

import math
import re

import pandas as pd

_SPECIAL = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
    # The decoded labels and findings use Unicode symbols; pdfLaTeX with T1 fonts has none.
    "τ": r"$\tau$",
    "λ": r"$\lambda$",
    "ρ": r"$\rho$",
    "−": r"$-$",
    "≥": r"$\geq$",
    "≤": r"$\leq$",
}


def escape(text: object) -> str:
    # "--" would print as an en dash (a copied `--cores` would break); "-{}-" keeps two hyphens.
    return re.sub("-(?=-)", "-{}", "".join(_SPECIAL.get(ch, ch) for ch in str(text)))


def breakable(text: object, after: str = "/_,-~") -> str:
    """``text`` escaped, with line breaks allowed after each character of ``after``: run ids and
    dotted keys have no spaces, so a narrow column would otherwise overflow the margin."""
    out = []
    for ch in str(text):
        out.append(escape(ch) + (r"\allowbreak{}" if ch in after else ""))
    return re.sub("-(?=-)", "-{}", "".join(out))


def ragged(width: float) -> str:
    """A column ``width`` of the line wide, wrapping its text ragged-right (long labels)."""
    return rf">{{\raggedright\arraybackslash}}p{{{width}\linewidth}}"


def booktabs_table(
    frame: pd.DataFrame,
    caption: str,
    label: str,
    source_note: str,
    column_format: str | None = None,
    size: str = r"\small",
) -> str:
    """A table float with booktabs rules; ``source_note`` says which file the numbers came from.

    Column names are plain text (escaped here); cells are LaTeX (escape them when building).
    """
    frame = frame.rename(columns=escape)
    body = frame.to_latex(
        index=False, escape=False, column_format=column_format or "l" * len(frame.columns)
    )
    # \FitTable (thesis/fittable.sty) keeps the text at 7 pt or more: shrunk to the line, or
    # on a landscape page.
    return "\n".join(
        [
            f"% generated from {source_note}; do not edit",
            rf"\FitTable{{{label}}}{{{size}}}{{%",
            body.strip(),
            "}{%",
            rf"\caption{{{caption} \emph{{Source: {escape(source_note)}.}}}}",
            rf"\label{{{label}}}",
            "}",
            "",
        ]
    )


def long_table(
    frame: pd.DataFrame,
    caption: str,
    label: str,
    source_note: str,
    column_format: str,
    size: str = r"\small",
) -> str:
    """A booktabs table that may break across pages (for long listings)."""
    body = frame.rename(columns=escape).to_latex(
        index=False,
        escape=False,
        column_format=column_format,
        longtable=True,
        caption=rf"{caption} \emph{{Source: {escape(source_note)}.}}",
        label=label,
    )
    return "\n".join(
        [f"% generated from {source_note}; do not edit", "{" + size, body.strip(), "}", ""]
    )


def figure(
    path: str, caption: str, label: str, source_note: str, width: str = r"\linewidth"
) -> str:
    return "\n".join(
        [
            f"% generated from {source_note}; do not edit",
            r"\begin{figure}[htbp]",
            r"\centering",
            rf"\includegraphics[width={width}]{{{path}}}",
            rf"\caption{{{caption} \emph{{Source: {escape(source_note)}.}}}}",
            rf"\label{{{label}}}",
            r"\end{figure}",
            "",
        ]
    )


def macro(name: str, value: object) -> str:
    return rf"\newcommand{{\{name}}}{{{value}}}"


def percent(value: float, digits: int = 1) -> str:
    return "--" if value is None or math.isnan(value) else f"{100 * value:.{digits}f}"


def mean_interval(mean: float, low: float, high: float, digits: int = 1) -> str:
    """``mean [low, high]`` in percent; a single seed shows only the mean."""
    if math.isnan(low):
        return percent(mean, digits)
    return f"{percent(mean, digits)} [{percent(low, digits)}, {percent(high, digits)}]"
