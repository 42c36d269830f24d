"""The thesis' figure style and the one writer every figure goes through (PDF and PNG).

Every module that draws (result_figures, summary_figures, map_figures, samples,
explainability) takes ``plt`` and ``sns`` from here, so the non-interactive backend is set
before pyplot is first imported.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from proxy_attention.atomic import atomic_path, remove_leftovers  # noqa: E402
from proxy_attention.layout import FIGURE_FORMATS  # noqa: E402

__all__ = ["TICK_PT", "WIDTH", "plt", "save_figure", "sns", "theme"]

# Figures are drawn at most this wide (inches) and included at \linewidth (16 cm = 6.3 in),
# so LaTeX never shrinks them and 8 pt ticks print at 8 pt or more.
WIDTH = 6.2
TICK_PT = 8.0


def theme() -> None:
    sns.set_theme(
        style="whitegrid",
        context="paper",
        palette="colorblind",
        rc={
            "xtick.labelsize": TICK_PT,
            "ytick.labelsize": TICK_PT,
            "axes.labelsize": 9,
            "legend.fontsize": TICK_PT,
            "legend.title_fontsize": TICK_PT,
        },
    )


def save_figure(fig: plt.Figure, out_dir: Path, name: str) -> str:
    """Write ``name`` in every layout.FIGURE_FORMATS (pdf, png) atomically; return the PDF's
    file name."""
    for suffix in (f".{ext}" for ext in FIGURE_FORMATS):
        remove_leftovers(out_dir / f"{name}{suffix}")  # a killed earlier attempt's temporary
        with atomic_path(out_dir / f"{name}{suffix}") as tmp:
            fig.savefig(tmp, bbox_inches="tight", dpi=150, metadata=_stable_metadata(suffix))
    plt.close(fig)
    return f"{name}.pdf"


def _stable_metadata(suffix: str) -> dict[str, object]:
    # No creation date in the file, so an unchanged figure is byte-identical when rebuilt.
    return {"CreationDate": None} if suffix == ".pdf" else {}
