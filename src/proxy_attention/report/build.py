"""thesis/generated/: the LaTeX tables, figures and macros the thesis \\inputs, from the runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from proxy_attention.atomic import write_text
from proxy_attention.layout import REPORT_TEX, RESULT_FIGURES_FOLDER, result_figure
from proxy_attention.params_doc import describe_keys
from proxy_attention.report import result_figures
from proxy_attention.report.aggregate import EPOCHS, PER_CLASS, RUNS, read_tables
from proxy_attention.report.comparison import comparison_section, paired_runs, paired_summary
from proxy_attention.report.explainability import has_explanations, write_explainability
from proxy_attention.report.findings import findings_paragraphs, has_folds
from proxy_attention.report.labels import decoded_labels
from proxy_attention.report.latex import (
    breakable,
    escape,
    figure,
    long_table,
    macro,
    mean_interval,
    ragged,
)
from proxy_attention.report.leak import write_leak
from proxy_attention.report.provenance import colophon, thesis_grid_macros
from proxy_attention.report.selection import choose_by_validation
from proxy_attention.report.stats import summarise
from proxy_attention.report.summary_tex import (
    Summary,
    escape_each,
    listing,
    shown_curves,
    summary_report,
)
from proxy_attention.report.templates import EVALUATION_WORDS, phrase
from proxy_attention.report.views import report_views
from proxy_attention.schedule import proxy_epochs

# Accuracy and F1 lie in [0, 1]: their intervals are clipped to it (stats.clip_interval).
UNIT = (0.0, 1.0)


def add_labels(runs: pd.DataFrame) -> pd.DataFrame:
    """A readable label per variant decoded from its settings (report/labels.py); runs that
    re-split every round are marked "(re-split each round)" there, and only they."""
    runs = runs.copy()
    runs["label"] = decoded_labels(runs)
    return runs


def results_summary(runs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    accuracy = summarise(runs, ["variant"], "test_accuracy", confidence, UNIT)
    f1 = summarise(runs, ["variant"], "test_f1_macro", confidence, UNIT)
    seconds = runs.groupby("variant")["wall_seconds"].mean()
    labels = runs.groupby("variant")["label"].first()
    table = accuracy.merge(f1, on="variant", suffixes=("", "_f1"))
    table["label"] = table["variant"].map(labels)
    table["wall_seconds"] = table["variant"].map(seconds)
    return table.sort_values("label", ignore_index=True)


def results_table(
    summary: pd.DataFrame, confidence: float, source: str, paired: bool, full: bool = True
) -> str:
    level = f"{100 * confidence:g}"
    pointer = "chosen" if not full else "paired" if paired else ""

    def intervals(suffix: str) -> list[str]:
        return [
            mean_interval(m, lo, hi)
            for m, lo, hi in zip(
                summary["mean" + suffix],
                summary["ci_low" + suffix],
                summary["ci_high" + suffix],
                strict=True,
            )
        ]

    display = pd.DataFrame(
        {
            "Variant": summary["label"].map(escape),
            "Seeds": summary["n"],
            f"Test accuracy, % [{level}% CI]": intervals(""),
            f"Macro F1, % [{level}% CI]": intervals("_f1"),
            "Wall time of a run, s": summary["wall_seconds"].map(lambda s: f"{s:.0f}"),
        }
    )
    # A float up to 40 rows, a longtable beyond (60 rows for the thesis grid's controls and
    # chosen variants would run off the page).
    return listing(
        display,
        caption=phrase(EVALUATION_WORDS, "results_caption", level=level, pointer=pointer),
        label="tab:results",
        source_note=source,
        column_format=f"{ragged(0.34)}rrrr",
        size=r"\small",
    )


def folds_reading_note(runs: pd.DataFrame) -> str:
    """For the chapter's captions, which speak of seeds and Student-t intervals: what they mean
    in a build over folds. Nothing without folds."""
    return phrase(EVALUATION_WORDS, "folds_note") + "\n" if has_folds(runs) else ""


def control_means(runs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Each fair control's test accuracy over seeds (the base the proxy step is added to)."""
    controls = runs[~runs["proxy"].astype(bool) & ~runs["resplit_each_round"].astype(bool)]
    summary = summarise(controls, ["variant"], "test_accuracy", confidence, UNIT)
    summary["label"] = summary["variant"].map(runs.groupby("variant")["label"].first())
    return summary.sort_values("label", ignore_index=True)


def write_report(
    results_dir: str | Path,
    params: dict[str, Any],
    params_path: str | Path,
    out_dir: str | Path,
    thesis_grid: str | Path | None = None,
) -> None:
    results_dir, out_dir = Path(results_dir), Path(out_dir)
    figures_dir = out_dir / RESULT_FIGURES_FOLDER
    tables = read_tables(results_dir)
    runs = add_labels(tables[RUNS])
    confidence = params["report"]["confidence"]
    source = f"{results_dir / RUNS}"
    pairs = paired_runs(runs)
    paired = paired_summary(pairs, confidence)
    # What is drawn follows from the runs' specs, as the report rule declares it.
    views = report_views(runs, explained=has_explanations(runs))
    # Big grids: the main text shows controls and chosen variants; summaries replace the rest.
    scaled = summary_report(runs, confidence, results_dir, figures_dir, views)

    note = folds_reading_note(runs)
    evaluation = [note] if note else []
    evaluation += overview_section(
        runs, tables[EPOCHS], confidence, figures_dir, results_dir, scaled
    )
    if not views.paired:
        # The hand-written chapters point to the paired table; say there is nothing to pair.
        evaluation.append(phrase(EVALUATION_WORDS, "no_pairs") + "\n")
    elif views.full:
        evaluation += comparison_section(
            pairs, paired, confidence, figures_dir, source, views.varied
        )
    else:
        evaluation.append(
            phrase(EVALUATION_WORDS, "too_many_pairs", count=f"{len(paired):,}") + "\n"
        )
    evaluation += scaled.evaluation
    write_text(out_dir / REPORT_TEX["evaluation"], "\n".join(evaluation))
    listings = appendix(runs, tables[PER_CLASS], results_dir)
    write_text(out_dir / REPORT_TEX["appendix"], "\n".join([*scaled.appendix, listings]))
    chosen = choose_by_validation(runs, confidence)
    text = findings_paragraphs(runs, paired, chosen, control_means(runs, confidence), confidence)
    write_text(out_dir / REPORT_TEX["macros"], macros(runs, text, confidence, thesis_grid))
    write_text(out_dir / REPORT_TEX["hyperparameters"], hyperparameter_table(params))
    write_text(out_dir / REPORT_TEX["colophon"], colophon(params_path))
    shown = runs[runs["variant"].isin(scaled.shown)]
    write_explainability(shown, confidence, results_dir, out_dir, views.explainability_figure)
    write_leak(runs, confidence, results_dir, out_dir)


def overview_section(
    runs: pd.DataFrame,
    epochs: pd.DataFrame,
    confidence: float,
    figures_dir: Path,
    results_dir: Path,
    scaled: Summary,
) -> list[str]:
    """The results table, the learning curves and the test accuracy per variant; past the
    size limits (summary_tex.py), of the controls and chosen variants only."""
    source, level = f"{results_dir / RUNS}", f"{100 * confidence:g}"
    epochs = epochs.merge(runs[["run_id", "label", "proxy"]], on="run_id")
    proxy_epochs = sorted(
        {e for s in runs.loc[runs["proxy"].astype(bool), "schedule"] for e in _proxy_epochs(s)}
    )
    curves = shown_curves(epochs, scaled, confidence, proxy_epochs, figures_dir)
    has_pairs = bool(runs["proxy"].astype(bool).any())
    summary = results_summary(runs[runs["variant"].isin(scaled.shown)], confidence)
    parts = [
        results_table(summary, confidence, source, has_pairs, scaled.full),
        figure(
            result_figure(curves),
            phrase(EVALUATION_WORDS, "curves_caption", level=level),
            "fig:val-accuracy",
            f"{results_dir / EPOCHS}",
        ),
    ]
    if scaled.full:
        by_variant = result_figures.accuracy_by_variant(runs, confidence, figures_dir)
        parts.append(
            figure(
                result_figure(by_variant),
                phrase(EVALUATION_WORDS, "accuracy_caption", level=level),
                "fig:test-accuracy",
                source,
            )
        )
    return parts


def _proxy_epochs(schedule: str) -> list[int]:
    return proxy_epochs([item if item == "p" else int(item) for item in str(schedule).split()])


def macros(
    runs: pd.DataFrame, text: dict[str, str], confidence: float, thesis_grid: str | Path | None
) -> str:
    """Counts, the generated findings (\\FindingsAbstract, \\AnswerAccuracy, ...) and the
    size of the source thesis' grid, as LaTeX macros."""
    lines = [
        "% generated from data/results/runs.csv; do not edit",
        macro("NumRuns", len(runs)),
        macro("NumSeeds", runs["seed"].nunique()),
        macro("NumVariants", runs["variant"].nunique()),
        macro("DatasetName", escape(", ".join(sorted(runs["dataset"].unique())))),
        macro("ConfidenceLevel", f"{100 * confidence:g}\\%"),
        macro("TQuantile", f"{0.5 + confidence / 2:g}"),
        macro("ErrorRate", f"{1 - confidence:.2g}"),
        *[macro(_macro_name(key), escape(sentence)) for key, sentence in text.items()],
        *thesis_grid_macros(thesis_grid),
    ]
    return "\n".join(lines) + "\n"


def _macro_name(key: str) -> str:
    return key if key.startswith("Answer") or key == "ChosenByValidation" else f"Findings{key}"


def appendix(runs: pd.DataFrame, per_class: pd.DataFrame, results_dir: Path) -> str:
    every_run = pd.DataFrame(
        {
            "Run": runs["run_id"].map(lambda r: r"\texttt{" + escape(r) + "}"),
            "Test acc., %": runs["test_accuracy"].map(lambda v: f"{100 * v:.1f}"),
            "Macro F1, %": runs["test_f1_macro"].map(lambda v: f"{100 * v:.1f}"),
            "Wall, s": runs["wall_seconds"].map(lambda v: f"{v:.0f}"),
        }
    )
    per_class_mean = (
        per_class.merge(runs[["run_id", "label"]], on="run_id")
        .groupby(["label", "class"], as_index=False)[["precision", "recall", "f1"]]
        .mean()
    )
    per_class_table = pd.DataFrame(
        {
            "Variant": escape_each(per_class_mean["label"]),
            "Class": escape_each(per_class_mean["class"]),
            "Precision, %": per_class_mean["precision"].map(lambda v: f"{100 * v:.1f}"),
            "Recall, %": per_class_mean["recall"].map(lambda v: f"{100 * v:.1f}"),
            "F1, %": per_class_mean["f1"].map(lambda v: f"{100 * v:.1f}"),
        }
    )
    return "\n".join(
        [
            listing(
                every_run,
                phrase(EVALUATION_WORDS, "all_runs_caption"),
                "tab:all-runs",
                f"{results_dir / RUNS}",
                "lrrr",
                csv=f"{results_dir / RUNS}",
            ),
            listing(
                per_class_table,
                phrase(EVALUATION_WORDS, "per_class_caption"),
                "tab:per-class",
                f"{results_dir / PER_CLASS}",
                "llrrr",
                csv=f"{results_dir / PER_CLASS}",
            ),
        ]
    )


def hyperparameter_table(params: dict[str, Any]) -> str:
    """Every documented key: meaning, what is allowed, and the value this build used."""
    rows = [
        {
            "Key": r"\texttt{" + breakable(doc.key, ".") + "}",
            "Meaning": escape(doc.meaning),
            "Allowed": breakable(doc.allowed),
            "Value used": breakable(_value_used(params, doc.key)),
        }
        for doc in describe_keys()
        if doc.meaning and not doc.is_mapping
    ]
    return long_table(
        pd.DataFrame(rows),
        phrase(EVALUATION_WORDS, "hyperparameters_caption"),
        "tab:hyperparameters",
        "src/proxy_attention/schemas/params.schema.yaml",
        # Ragged columns that add up to less than \linewidth with their separation.
        "".join(ragged(w) for w in (0.26, 0.32, 0.16, 0.15)),
        size=r"\scriptsize",
    )


def _value_used(params: dict[str, Any], key: str) -> str:
    parts = key.split(".")
    nodes: list[Any] = [params]
    for part in parts:
        # "<name>" stands for every entry of a mapping, e.g. each dataset.
        nodes = [
            v
            for n in nodes
            if isinstance(n, dict)
            for v in (n.values() if part == "<name>" else [n[part]] if part in n else [])
        ]
    values = sorted({json.dumps(v) for v in nodes})
    return ", ".join(values) if values else "unset"
