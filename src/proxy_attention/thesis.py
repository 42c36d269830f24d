"""Build the thesis PDF with latexmk, with a clear message when TeX is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from proxy_attention.atomic import atomic_path
from proxy_attention.errors import UserError

TEX_PACKAGES = (
    "latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended "
    "texlive-science lmodern"
)


def build_pdf(tex: Path, out: Path) -> Path:
    """Run latexmk on ``tex`` (auxiliary files in ``out``'s folder) and place the PDF at ``out``."""
    latexmk = shutil.which("latexmk")
    if latexmk is None or shutil.which("pdflatex") is None:
        raise UserError(f"latexmk/pdflatex not found: apt-get install {TEX_PACKAGES}")
    tex = Path(tex).resolve()
    build_dir = Path(out).resolve().parent / "latex"
    build_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            latexmk,
            "-pdf",
            "-interaction=nonstopmode",
            "-halt-on-error",
            f"-outdir={build_dir}",
            tex.name,
        ],
        cwd=tex.parent,
        capture_output=True,
        text=True,
    )
    log = build_dir / f"{tex.stem}.log"
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else result.stdout[-3000:]
        raise UserError(f"latexmk failed on {tex.name}; see {log}\n{tail}")
    with atomic_path(out) as tmp:
        shutil.copyfile(build_dir / f"{tex.stem}.pdf", tmp)
    return Path(out)
