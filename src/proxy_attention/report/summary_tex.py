"""The summary sections of the report, for a grid of any size.

The thesis grid has 7,230 variants: a table or figure with one row per variant cannot be read
(nor, as one float, typeset). The main text therefore always shows summaries (per control group
the best proxy setting chosen on validation, main effects, threshold x weight heatmaps, learning
curves of controls and chosen variants). Per-variant tables and figures stay in the main text
only up to views.MAIN_TEXT_VARIANTS variants, and in the appendix up to APPENDIX_ROWS rows; beyond
that the appendix points to the CSV, which DVC tracks with data/results. The embedded default
(four variants) keeps every table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from proxy_attention.atomic import atomic_path
from proxy_attention.layout import VARIANTS_CSV, result_figure
from proxy_attention.report import result_figures, summary_figures
from proxy_attention.report.comparison import paired_runs
from proxy_attention.report.latex import booktabs_table, escape, figure, long_table, mean_interval
from proxy_attention.report.summary_views import (
    ALL_DATASETS,
    FACTORS,
    chosen_settings,
    main_effects,
    significant,
    threshold_weight_cells,
    variant_table,
)
from proxy_attention.report.templates import EVALUATION_WORDS, phrase

# About 45 rows a page at \scriptsize: at most ~7 pages of appendix per listing.
APPENDIX_ROWS = 300
FLOAT_ROWS = 40  # a table float cannot break across pages: longer listings are longtables


@dataclass
class Summary:
    full: bool  # small enough for every per-variant table and figure in the main text
    shown: set[str]  # the variants the main text shows: every one, or controls and chosen
    evaluation: list[str] = field(default_factory=list)  # LaTeX for evaluation.tex
    appendix: list[str] = field(default_factory=list)  # LaTeX for appendix.tex
    chosen: pd.DataFrame | None = None


def _points(value: float) -> str:
    return "--" if pd.isna(value) else f"{100 * value:+.2f}"


def _gain(mean: float, low: float, high: float) -> str:
    interval = "" if pd.isna(low) else f" [{_points(low)}, {_points(high)}]"
    return _points(mean) + interval


def escape_each(values: pd.Series) -> pd.Series:
    """escape() once per distinct value: per-class listings repeat each label 100 times."""
    return values.map({value: escape(value) for value in values.unique()})


def _gains(table: pd.DataFrame, mean: str) -> list[str]:
    return [
        _gain(m, lo, hi)
        for m, lo, hi in zip(table[mean], table["ci_low"], table["ci_high"], strict=True)
    ]


def _p(value: float) -> str:
    return "--" if pd.isna(value) else f"{value:.3g}"


def listing(
    frame, caption, label, source_note, column_format, size=r"\scriptsize", csv=None
) -> str:
    """A table float when short, a longtable (breaks across pages) when long, and beyond
    APPENDIX_ROWS a sentence pointing to ``csv``, which holds every row."""
    if len(frame) <= FLOAT_ROWS:
        return booktabs_table(frame, caption, label, source_note, column_format, size=size)
    if len(frame) <= APPENDIX_ROWS or csv is None:
        return long_table(frame, caption, label, source_note, column_format, size=size)
    pointer = phrase(
        EVALUATION_WORDS,
        "too_long",
        rows=f"{len(frame):,}",
        limit=APPENDIX_ROWS,
        title=caption.split(".")[0],
        csv=escape(csv),
    )
    return f"% {len(frame)} rows exceed the appendix limit of {APPENDIX_ROWS}\n{pointer}\n"


def summary_report(
    runs: pd.DataFrame, confidence: float, results_dir: Path, figures_dir: Path, views
) -> Summary:
    """The summary sections and the per-variant CSV; nothing for a grid without proxy runs.
    ``views`` (report/views.ReportViews) says whether the grid is within the limits and
    whether the heatmaps are drawn."""
    full = views.full
    pairs = paired_runs(runs)
    csv = results_dir / VARIANTS_CSV
    variants = variant_table(pairs, confidence) if not pairs.empty else pd.DataFrame()
    with atomic_path(csv) as tmp:  # written even when empty: the report rule declares it
        variants.to_csv(tmp, index=False)
    if pairs.empty:
        return Summary(full, set(runs["variant"]))
    chosen = chosen_settings(runs, pairs, confidence)
    shown = set(runs["variant"]) if full else set(chosen["group"]) | set(chosen["variant"])
    summary = Summary(full, shown, chosen=chosen)
    source = f"{results_dir / 'runs.csv'}"
    summary.evaluation += [method_paragraph(confidence), chosen_table(chosen, confidence, source)]
    effects = main_effects(pairs, confidence)
    if not effects.empty:
        summary.evaluation.append(main_effects_table(effects, confidence, source))
    if views.heatmaps:
        cells = threshold_weight_cells(pairs, confidence)
        pdf = summary_figures.gain_heatmaps(cells, 1.0 - confidence, figures_dir)
        summary.evaluation.append(heatmap_figure(pdf, cells, confidence, source))
    summary.appendix.append(variants_listing(variants, confidence, f"{csv}"))
    return summary


def method_paragraph(confidence: float) -> str:
    paragraph = phrase(EVALUATION_WORDS, "summaries_method", level=f"{100 * confidence:g}")
    return f"% generated by report/summary_tex.py; do not edit\n{paragraph}\n"


def chosen_table(chosen: pd.DataFrame, confidence: float, source: str) -> str:
    level = f"{100 * confidence:g}"
    columns = {"Dataset": chosen["dataset"].map(escape), "Model": chosen["model"].map(escape)}
    if chosen["augmentation"].nunique() > 1:
        columns["Augmentation"] = chosen["augmentation"].map(escape)
    table = pd.DataFrame(
        {
            **columns,
            f"Control, % [{level}% CI]": [
                mean_interval(m, lo, hi)
                for m, lo, hi in zip(
                    chosen["control_mean"],
                    chosen["control_low"],
                    chosen["control_high"],
                    strict=True,
                )
            ],  # fmt: skip
            "Chosen setting (of)": [
                f"{escape(label)} ({n})"
                for label, n in zip(chosen["proxy_label"], chosen["candidates"], strict=True)
            ],
            "Test, %": chosen["chosen_mean"].map(lambda v: f"{100 * v:.1f}"),
            f"Gain, points [{level}% CI]": _gains(chosen, "mean_diff"),
            "p (Holm)": chosen["p_holm"].map(_p),
        }
    )
    caption = phrase(EVALUATION_WORDS, "chosen_caption", level=level, controls=len(chosen))
    return listing(table, caption, "tab:chosen", source, "l" * (len(columns) + 1) + "rrrr")


def main_effects_table(effects: pd.DataFrame, confidence: float, source: str) -> str:
    level = f"{100 * confidence:g}"
    marked = significant(effects, 1.0 - confidence)
    table = pd.DataFrame(
        {
            "Scope": effects["scope"].map(escape),
            "Setting": effects["factor"].map(FACTORS),
            "Value": effects["level"].map(escape),
            "Seeds": effects["n"],
            f"Gain, points [{level}% CI]": [
                ("\\textbf{" if m else "{") + _gain(g, lo, hi) + "}"
                for g, lo, hi, m in zip(
                    effects["mean_diff"],
                    effects["ci_low"],
                    effects["ci_high"],
                    marked,
                    strict=True,
                )
            ],  # fmt: skip
            "p (Holm)": effects["p_holm"].map(_p),
        }
    )
    scopes = effects["scope"].nunique()
    caption = phrase(
        EVALUATION_WORDS,
        "main_effects_caption",
        level=level,
        scope_all=ALL_DATASETS,
        scopes=scopes,
        alpha=f"{1 - confidence:.2g}",
    )
    return long_table(table, caption, "tab:main-effects", source, "lllrrr", size=r"\scriptsize")


def heatmap_figure(pdf: str, cells: pd.DataFrame, confidence: float, source: str) -> str:
    marked = int(significant(cells, 1.0 - confidence).sum())
    return figure(
        result_figure(pdf),
        phrase(
            EVALUATION_WORDS,
            "heatmap_caption",
            cells=len(cells),
            alpha=f"{1 - confidence:.2g}",
            marked=marked,
        ),
        "fig:gain-heatmaps",
        source,
    )


def variants_listing(variants: pd.DataFrame, confidence: float, csv: str) -> str:
    level = f"{100 * confidence:g}"
    table = pd.DataFrame(
        {
            "Variant": escape_each(variants["label"]),
            "Val., %": variants["val_accuracy"].map(lambda v: f"{100 * v:.1f}"),
            "Test, %": variants["test_accuracy"].map(lambda v: f"{100 * v:.1f}"),
            f"Gain, points [{level}% CI]": _gains(variants, "gain"),
            "p": variants["p"].map(_p),
            "p (Holm)": variants["p_holm"].map(_p),
        }
    )
    caption = phrase(EVALUATION_WORDS, "variants_caption", level=level, variants=len(variants))
    return listing(table, caption, "tab:variants", csv, "lrrrrr", csv=csv)


def shown_curves(
    epochs: pd.DataFrame,
    summary: Summary,
    confidence: float,
    proxy_epochs: list[int],
    figures_dir: Path,
) -> str:
    """The learning-curve figure: controls and chosen variants only."""
    if summary.chosen is None:
        return result_figures.learning_curves(epochs, confidence, proxy_epochs, figures_dir)
    roles = {v: "control" for v in summary.chosen["group"]}
    roles.update({v: "chosen" for v in summary.chosen["variant"]})
    shown = epochs[epochs["variant"].isin(roles)].assign(role=epochs["variant"].map(roles))
    if shown["label"].nunique() <= 8:
        return result_figures.learning_curves(shown, confidence, proxy_epochs, figures_dir)
    shown = shown.assign(dataset=shown["variant"].str.split("/").str[0])
    shown = shown.assign(model=shown["variant"].str.split("/").str[1])
    return summary_figures.chosen_curves(shown, confidence, figures_dir, "val_accuracy")
