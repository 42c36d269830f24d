"""What each augmentation costs beside what it gains: per dataset and model, the test accuracy
of its controls and of its proxy runs, and its training time per image and epoch as a ratio to
``basic``'s, from runs.csv. The thesis prints it (thesis/generated/augmentation_costs.tex)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from proxy_attention.atomic import write_text
from proxy_attention.augment_chains import KINDS
from proxy_attention.report.latex import escape, percent
from proxy_attention.report.templates import AUGMENTATION_WORDS, phrase

KEYS = ["dataset", "model", "augmentation"]


def augmentation_costs(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, model, augmentation), in the registry's order (chains last)."""
    runs = runs[~runs["resplit_each_round"].astype(bool)]
    runs = runs.assign(
        seconds=runs["train_seconds"] / (runs["epochs"] * runs["train_size"]),
    )
    proxy = runs["proxy"].astype(bool)
    table = (
        runs[~proxy]
        .groupby(KEYS)
        .agg(
            control_accuracy=("test_accuracy", "mean"),
            seconds=("seconds", "mean"),
            seeds=("seed", "nunique"),
        )
    )
    paired = paired_accuracy(runs, proxy)
    table["proxy_accuracy"] = paired["proxy_accuracy"]
    table["control_accuracy"] = paired["control_accuracy"].combine_first(table["control_accuracy"])
    table = table.reset_index()
    basic = table[table["augmentation"] == "basic"].set_index(["dataset", "model"])["seconds"]
    reference = table.set_index(["dataset", "model"]).index.map(basic.to_dict())
    table["cost"] = table["seconds"] / pd.Series(reference, index=table.index, dtype=float)
    order = {name: index for index, name in enumerate(KINDS)}
    table["order"] = table["augmentation"].map(lambda name: order.get(name, len(order)))
    return table.sort_values(["dataset", "model", "order", "augmentation"]).drop(columns="order")


def paired_accuracy(runs: pd.DataFrame, proxy: pd.Series) -> pd.DataFrame:
    """Mean test accuracy of the proxy runs whose control is in the build, and of their
    controls counted once per proxy run: the two differ by the mean paired difference. Proxy
    runs without a control (the leak check's) would compare unlike schedules, so they are left
    out."""
    accuracy = runs.set_index("run_id")["test_accuracy"]
    paired = runs[proxy & runs["control_id"].isin(accuracy.index)]
    paired = paired.assign(control=accuracy.loc[paired["control_id"]].to_numpy())
    return paired.groupby(KEYS).agg(
        proxy_accuracy=("test_accuracy", "mean"), control_accuracy=("control", "mean")
    )


def costs_table(table: pd.DataFrame) -> str:
    """The LaTeX table: accuracy without and with the proxy step, and the time ratio."""
    rows = [
        f"{escape(r.dataset)} & {escape(r.model)} & \\texttt{{{escape(r.augmentation)}}} & "
        f"{percent(r.control_accuracy)} & {percent(r.proxy_accuracy)} & "
        f"{'--' if pd.isna(r.cost) else f'{r.cost:.2f}'}\\\\"
        for r in table.itertuples()
    ]
    return "\n".join(
        [
            "% generated from data/results/runs.csv; do not edit",
            r"\begin{table}[htbp]",
            r"\centering",
            rf"\caption{{{phrase(AUGMENTATION_WORDS, 'costs_caption')}}}",
            r"\label{tab:augmentation-costs}",
            r"\footnotesize",
            r"\begin{tabular}{@{}l l l r r r@{}}",
            r"\toprule",
            r"Dataset & Model & Augmentation & Control & Proxy & Time vs basic\\",
            r"\midrule",
            *rows,
            r"\bottomrule",
            r"\end{tabular}",
            r"\end{table}",
            "",
        ]
    )


def write_augmentation_costs(runs_csv: Path, tex: Path) -> None:
    write_text(tex, costs_table(augmentation_costs(pd.read_csv(runs_csv))))
