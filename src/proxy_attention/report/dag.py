"""The pipeline's rule graph (from `snakemake --rulegraph`) as a thesis figure."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from proxy_attention.atomic import atomic_path, write_text
from proxy_attention.errors import UserError
from proxy_attention.layout import included_from
from proxy_attention.report.latex import figure


def write_dag_figure(dot_file: Path, pdf: Path, tex: Path) -> None:
    """The rule graph drawn by Graphviz into ``pdf``, and ``tex`` including it."""
    dot = shutil.which("dot")
    if dot is None:
        raise UserError(
            "Graphviz's `dot` is missing: apt-get install graphviz (workflow/scripts/setup.sh does)"
        )
    with atomic_path(pdf) as tmp:
        subprocess.run([dot, "-Tpdf", str(dot_file), "-o", str(tmp)], check=True)
    write_text(
        tex,
        figure(
            included_from(pdf, tex),
            "The pipeline's rules and their dependencies, drawn from the Snakefile.",
            "fig:dag",
            "snakemake --rulegraph",
            width=r"0.6\linewidth",
        ),
    )
