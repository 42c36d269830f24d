"""Which views the report step draws, decided from the runs' specs alone.

The report rule must declare every figure before any run trains, and the report step must draw
exactly those. Both call ``report_views``: the rule on the grid's specs (``grid_runs``), the
step on runs.csv, whose spec columns are the same (aggregate.spec_columns). So what is declared
is what is written for every grid size, past every size limit of summary_tex.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from proxy_attention.grid import expand_grid
from proxy_attention.layout import FIGURE_FORMATS, RESULT_FIGURES
from proxy_attention.report.aggregate import REPLICATE, spec_columns

# The size limits (the Snakefile imports this module, so it stays free of the plotting stack).
MAIN_TEXT_VARIANTS = 40  # per-variant tables and figures in the main text up to this many
EXPLAINABILITY_VARIANTS = 30  # one row per variant in the faithfulness figure up to this many
EXPLAINABILITY = "explainability"  # that figure's name
# The proxy settings a grid may vary, each a column of runs.csv.
HYPERPARAMETERS = [
    "method",
    "threshold",
    "weight",
    "subset",
    "clear_every_step",
    "mode",
    "schedule",
]


def control_variant(pairs: pd.DataFrame) -> pd.Series:
    """Each pair's group: the variant of its control (dataset, model, augmentation, epochs)."""
    return pairs["control_id"].str.replace(REPLICATE, "", regex=True)


@dataclass(frozen=True)
class ReportViews:
    full: bool  # every per-variant table and figure in the main text (summary_tex.py)
    paired: bool  # proxy runs with their controls in the grid
    heatmaps: bool  # more than one threshold x weight cell among the paired runs
    varied: tuple[str, ...]  # proxy settings drawn one figure each (full grids only)
    explainability_figure: bool  # the faithfulness figure (few enough variants shown)

    @property
    def figures(self) -> list[str]:
        """The names of the result figures, each written as every layout.FIGURE_FORMATS."""
        names = ["val_accuracy"]
        if self.full:
            names.append("test_accuracy")
        if self.full and self.paired:
            names += ["gain_variant", "cost_gain", *(f"gain_by_{name}" for name in self.varied)]
        if self.heatmaps:
            names.append("gain_heatmaps")
        if self.explainability_figure:
            names.append(EXPLAINABILITY)
        return names


def report_views(runs: pd.DataFrame, explained: bool = True) -> ReportViews:
    """The views of a build with these runs (only their spec columns are read); ``explained``:
    whether runs.csv holds explanation metrics, as every pipeline build's does."""
    variants = runs["variant"].nunique()
    full = variants <= MAIN_TEXT_VARIANTS
    proxy = runs[runs["proxy"].astype(bool)]
    pairs = proxy[proxy["control_id"].isin(runs["run_id"])]
    paired = not pairs.empty
    # Past the limit the main text shows each control group's control and chosen variant.
    shown = variants if full or not paired else 2 * control_variant(pairs).nunique()
    return ReportViews(
        full=full,
        paired=paired,
        heatmaps=paired and pairs["threshold"].nunique() * pairs["weight"].nunique() > 1,
        varied=tuple(n for n in HYPERPARAMETERS if pairs[n].nunique() > 1) if full else (),
        explainability_figure=explained and shown <= EXPLAINABILITY_VARIANTS,
    )


def grid_runs(params: dict[str, Any]) -> pd.DataFrame:
    """The spec columns of runs.csv for every run of the grid, before any run trains."""
    return pd.DataFrame(
        [spec_columns(spec.as_dict(), spec.control_id) for spec in expand_grid(params)]
    )


def figure_files(names: list[str], folder: str = RESULT_FIGURES) -> list[str]:
    return [f"{folder}/{name}.{ext}" for name in names for ext in FIGURE_FORMATS]
