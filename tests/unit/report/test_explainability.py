"""Faithfulness in the thesis: paired differences to the control, and a baseline that
removes nothing is flagged."""

from pathlib import Path

import pandas as pd

from proxy_attention.report.explainability import (
    baseline_sentence,
    explainability_tex,
    paired_to_control,
)

CONTROL = "d/m/aug~basic/proxy~off-e6/seed~{}"
PROXY = "d/m/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s3p2/seed~{}"


def runs_with(proxy_deletion, control_deletion, baseline_confidence=0.2):
    rows = []
    for seed, (treated, control) in enumerate(zip(proxy_deletion, control_deletion, strict=True)):
        for run_id, label, deletion, is_proxy in (
            (PROXY.format(seed), "proxy", treated, True),
            (CONTROL.format(seed), "control", control, False),
        ):
            rows.append(
                {
                    "run_id": run_id,
                    "control_id": CONTROL.format(seed),
                    "proxy": is_proxy,
                    "label": label,
                    "seed": seed,
                    "deletion_auc": deletion,
                    "insertion_auc": 0.9,
                    "average_drop": 0.3,
                    "increase_in_confidence": 0.1,
                    "explain_method": "eigengradcam",
                    "explain_images": 64,
                    "explain_confidence": 0.8,
                    "explain_baseline_confidence": baseline_confidence,
                    "explain_blur_sigma_px": 32.0,
                }
            )
    return pd.DataFrame(rows)


def test_faithfulness_is_compared_to_the_control_by_seed():
    paired = paired_to_control(runs_with([0.30, 0.40, 0.35], [0.50, 0.55, 0.60]), 0.95)
    assert paired["Proxy variant"].tolist() == ["proxy"]
    # differences -0.20, -0.15, -0.25: mean -0.20, half width 4.302653 * 0.05 / sqrt(3)
    assert paired.loc[0, "Deletion AUC [CI]"] == "-0.200 [-0.324, -0.076]"
    assert paired.loc[0, "Insertion AUC [CI]"] == "+0.000 [+0.000, +0.000]"
    assert paired.loc[0, "Average drop, points [CI]"] == "+0.0 [+0.0, +0.0]"


def test_a_difference_interval_stays_within_minus_one_to_one():
    paired = paired_to_control(runs_with([1.0, 0.0, 1.0], [0.0, 1.0, 0.0]), 0.95)
    assert paired.loc[0, "Deletion AUC [CI]"] == "+0.333 [-1.000, +1.000]"


def test_a_baseline_that_leaves_the_confidence_unchanged_is_flagged(tmp_path):
    flat = runs_with([0.5] * 3, [0.5] * 3, baseline_confidence=0.78)
    assert baseline_sentence(flat).startswith(r"\textbf{Warning:} the baseline leaves")
    assert "is 0.780, against 0.800" in baseline_sentence(flat)
    informative = runs_with([0.5] * 3, [0.5] * 3, baseline_confidence=0.2)
    sentence = baseline_sentence(informative)
    assert sentence.startswith("The baseline removes the evidence the models use")
    assert r"$\sigma = 32$ px" in sentence and "Warning" not in sentence
    tex = explainability_tex(flat, 0.95, Path("data/results"), tmp_path, True)
    assert "Warning" in tex and "tab:explainability-paired" in tex
