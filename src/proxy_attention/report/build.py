"""thesis/generated/: the LaTeX tables, figures and macros the thesis \\inputs, from the runs."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd

from proxy_attention.atomic import write_text
from proxy_attention.params import iter_schema_keys, params_hash
from proxy_attention.report import figures
from proxy_attention.report.aggregate import EPOCHS, PER_CLASS, RUNS, read_tables
from proxy_attention.report.comparison import comparison_section
from proxy_attention.report.explainability import write_explainability
from proxy_attention.report.latex import (
    booktabs_table,
    escape,
    figure,
    long_table,
    macro,
    mean_interval,
)
from proxy_attention.report.stats import summarise
from proxy_attention.report.summary_tex import (
    escape_each,
    listing,
    shown_curves,
    summary_report,
)

VARIANT_COLUMNS = ["dataset", "model", "augmentation", "schedule", "proxy_label"]


def add_labels(runs: pd.DataFrame) -> pd.DataFrame:
    """A short readable label per variant made of the columns that differ between variants."""
    runs = runs.copy()
    runs["proxy_label"] = runs["variant"].str.extract(r"proxy~([^/]+)", expand=False)
    varying = [c for c in VARIANT_COLUMNS if runs[c].nunique() > 1] or ["augmentation"]
    runs["label"] = runs[varying].astype(str).agg(" | ".join, axis=1)
    # The original protocol's leak inflates accuracy: such runs must never pass for fair ones.
    resplit = runs["resplit_each_round"].astype(bool)
    runs.loc[resplit, "label"] = runs.loc[resplit, "label"] + " (re-split, inflated)"
    return runs


def results_summary(runs: pd.DataFrame, confidence: float) -> pd.DataFrame:
    accuracy = summarise(runs, ["variant"], "test_accuracy", confidence)
    f1 = summarise(runs, ["variant"], "test_f1_macro", confidence)
    seconds = runs.groupby("variant")["wall_seconds"].mean()
    labels = runs.groupby("variant")["label"].first()
    table = accuracy.merge(f1, on="variant", suffixes=("", "_f1"))
    table["label"] = table["variant"].map(labels)
    table["wall_seconds"] = table["variant"].map(seconds)
    return table.sort_values("mean", ascending=False, ignore_index=True)


def write_report(
    results_dir: str | Path, params: dict[str, Any], params_path: str | Path, out_dir: str | Path
) -> None:
    results_dir, out_dir = Path(results_dir), Path(out_dir)
    figures_dir = out_dir / "figures"
    tables = read_tables(results_dir)
    runs = add_labels(tables[RUNS])
    epochs = tables[EPOCHS].merge(runs[["run_id", "label"]], on="run_id")
    confidence = params["report"]["confidence"]
    summary = results_summary(runs, confidence)
    source = f"{results_dir / RUNS}"
    # Big grids: the main text shows controls and chosen variants; summaries replace the rest.
    scaled = summary_report(runs, confidence, results_dir, figures_dir)
    shown = summary[summary["variant"].isin(scaled.shown)]

    level = f"{100 * confidence:g}"
    display = pd.DataFrame(
        {
            "Variant": shown["label"].map(escape),
            "Seeds": shown["n"],
            f"Test accuracy, % [{level}% CI]": [
                mean_interval(m, lo, hi)
                for m, lo, hi in zip(shown["mean"], shown["ci_low"], shown["ci_high"], strict=True)
            ],
            "Macro F1, %": [
                mean_interval(m, lo, hi)
                for m, lo, hi in zip(
                    shown["mean_f1"], shown["ci_low_f1"], shown["ci_high_f1"], strict=True
                )
            ],
            "Wall time, s": shown["wall_seconds"].map(lambda s: f"{s:.0f}"),
        }
    )
    results_table = booktabs_table(
        display,
        caption=(
            f"Test accuracy and macro F1 per variant: mean over seeds with the "
            f"{level}\\% confidence interval (Student's t)."
            + (
                ""
                if scaled.full
                else " Controls and the proxy variants chosen on validation "
                "only; every variant is listed in the appendix."
            )
        ),  # fmt: skip
        label="tab:results",
        source_note=source,
        column_format="lrrrr",
    )
    curves = shown_curves(epochs, scaled, confidence, figures_dir)
    evaluation = [
        results_table,
        figure(
            f"generated/figures/{curves}",
            "Validation accuracy per epoch of the controls and the proxy variants chosen on "
            f"validation; the band is the {level}\\% confidence interval "
            "over seeds.",
            "fig:val-accuracy",
            f"{results_dir / EPOCHS}",
        ),
    ]
    if scaled.full:
        by_variant = figures.accuracy_by_variant(runs, figures_dir)
        evaluation.append(
            figure(
                f"generated/figures/{by_variant}",
                "Test accuracy per variant: each seed as a dot, the mean with its interval.",
                "fig:test-accuracy",
                source,
            )
        )
        evaluation += comparison_section(runs, confidence, figures_dir, source)
    evaluation += scaled.evaluation
    write_text(out_dir / "evaluation.tex", "\n".join(evaluation))
    listings = appendix(runs, tables[PER_CLASS], results_dir)
    write_text(out_dir / "appendix.tex", "\n".join([*scaled.appendix, listings]))
    write_text(out_dir / "macros.tex", macros(runs, summary, params))
    write_text(out_dir / "hyperparameters.tex", hyperparameter_table(params))
    write_text(out_dir / "colophon.tex", colophon(params_path))
    write_explainability(runs[runs["variant"].isin(scaled.shown)], confidence, results_dir, out_dir)


def macros(runs: pd.DataFrame, summary: pd.DataFrame, params: dict[str, Any]) -> str:
    best = summary.iloc[0]
    lines = [
        "% generated from data/results/runs.csv; do not edit",
        macro("NumRuns", len(runs)),
        macro("NumSeeds", runs["seed"].nunique()),
        macro("NumVariants", runs["variant"].nunique()),
        macro("DatasetName", escape(", ".join(sorted(runs["dataset"].unique())))),
        macro("BestVariant", escape(best["label"])),
        macro("BestAccuracy", f"{100 * best['mean']:.1f}\\%"),
    ]
    return "\n".join(lines) + "\n"


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
                "Every run of the grid.",
                "tab:all-runs",
                f"{results_dir / RUNS}",
                "lrrr",
                csv=f"{results_dir / RUNS}",
            ),
            listing(
                per_class_table,
                "Per-class test metrics, mean over seeds.",
                "tab:per-class",
                f"{results_dir / PER_CLASS}",
                "llrrr",
                csv=f"{results_dir / PER_CLASS}",
            ),
        ]
    )


def hyperparameter_table(params: dict[str, Any]) -> str:
    """Every documented key: meaning, what is allowed, and the value this build used."""
    rows = []
    for key, node in iter_schema_keys():
        if "description" not in node or node.get("type") == "object":
            continue
        rows.append(
            {
                "Key": r"\texttt{" + escape(key) + "}",
                "Meaning": escape(node["description"]),
                "Allowed": escape(_allowed(node)),
                "Value used": escape(_value_used(params, key)),
            }
        )
    return long_table(
        pd.DataFrame(rows),
        "Every parameter of params.yaml, generated from its schema, with the "
        "value this build used.",
        "tab:hyperparameters",
        "workflow/schemas/params.schema.yaml",
        r"p{0.27\linewidth}p{0.34\linewidth}p{0.17\linewidth}p{0.12\linewidth}",
        size=r"\scriptsize",
    )


def _allowed(node: dict[str, Any]) -> str:
    if "enum" in node:
        return ", ".join(map(str, node["enum"]))
    items = node.get("items", {})
    if "enum" in items:
        return "list of: " + ", ".join(map(str, items["enum"]))
    kinds = node.get("type") or [
        alt.get("type", "number in (0, 1)") for alt in node.get("oneOf", [])
    ]
    kinds = kinds if isinstance(kinds, list) else [kinds]
    text = " or ".join(str(k) for k in kinds) or "see the schema"
    bounds = [
        f"{sym} {node[k]}"
        for k, sym in (
            ("minimum", ">="),
            ("exclusiveMinimum", ">"),
            ("maximum", "<="),
            ("exclusiveMaximum", "<"),
        )
        if k in node
    ]
    return text + (f" ({', '.join(bounds)})" if bounds else "")


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


def colophon(params_path: str | Path) -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(params_path).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "not a git checkout"
    today = dt.date.today().isoformat()
    return (
        f"Built from commit \\texttt{{{escape(commit)}}} with params.yaml "
        f"\\texttt{{{params_hash(params_path)}}} on {today}.\n"
    )
