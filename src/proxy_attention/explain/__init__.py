"""Measured explainability: how faithful saliency maps are to the model they explain."""

from proxy_attention.explain.faithfulness import (
    blur_baseline,
    confidence_change,
    deletion_auc,
    faithfulness_report,
    insertion_auc,
    perturbation_curve,
    removal_rank,
    step_counts,
)

__all__ = [
    "blur_baseline",
    "confidence_change",
    "deletion_auc",
    "faithfulness_report",
    "insertion_auc",
    "perturbation_curve",
    "removal_rank",
    "step_counts",
]
