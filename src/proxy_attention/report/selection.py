"""Choosing a variant without looking at the test set: by validation accuracy, then reporting
the chosen variant's test accuracy (choosing by test accuracy would report a biased maximum)."""

from __future__ import annotations

import pandas as pd

from proxy_attention.report.stats import summarise

# The test set scores the weights after the last epoch, so the choice uses their validation
# accuracy too (best_val_accuracy may belong to an earlier epoch whose weights are gone).
SELECTION_COLUMN = "final_val_accuracy"


def choose_by_validation(
    runs: pd.DataFrame,
    confidence: float,
    by: list[str] | None = None,
    column: str = SELECTION_COLUMN,
) -> pd.DataFrame:
    """Per group of ``by`` (default: dataset), the variant with the highest mean ``column``
    over seeds, with that variant's test accuracy (mean and Student-t interval over seeds).

    Re-split runs are never chosen: their validation images leaked into training. Ties go to
    the first variant in sorted order, so the choice is reproducible.
    Returns columns ``by`` + variant, label, n, val_mean, mean, ci_low, ci_high.
    """
    by = by or ["dataset"]
    fair = runs[~runs["resplit_each_round"].astype(bool)]
    validation = summarise(fair, [*by, "variant"], column, confidence)
    chosen = (
        validation.sort_values([*by, "mean", "variant"], ascending=[True] * len(by) + [False, True])
        .groupby(by, sort=True)
        .head(1)
        .rename(columns={"mean": "val_mean"})[[*by, "variant", "val_mean"]]
    )
    test = summarise(
        fair[fair["variant"].isin(chosen["variant"])],
        ["variant"],
        "test_accuracy",
        confidence,
        bounds=(0.0, 1.0),
    )
    labels = runs.groupby("variant")["label"].first()
    result = chosen.merge(test, on="variant")
    result["label"] = result["variant"].map(labels)
    return result.reset_index(drop=True)
