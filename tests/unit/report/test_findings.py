"""Generated sentences on synthetic result tables: gain, loss, null, one seed, a mixed grid."""

import math

import pandas as pd
import pytest
from scipy import stats as sps

from proxy_attention.report.build import add_labels
from proxy_attention.report.comparison import paired_runs, paired_summary
from proxy_attention.report.findings import (
    DEGRADATION,
    IMPROVEMENT,
    NULL,
    comparison_sentence,
    headline,
    scope_sentence,
    signed,
    tally_sentence,
    verdict,
)
from proxy_attention.report.stats import minimum_detectable_effect
from tests.helpers.result_tables import pair_rows, table

CONTROLS = [0.80, 0.82, 0.84]


def summary_of(runs: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    return paired_summary(paired_runs(add_labels(runs)), confidence)


def test_clear_gain_is_an_improvement_with_its_numbers():
    gains = [0.04, 0.06, 0.05]
    row = summary_of(table(pair_rows(CONTROLS, gains))).iloc[0]
    sentence = comparison_sentence(row, 0.95)
    p = sps.ttest_rel([c + g for c, g in zip(CONTROLS, gains, strict=True)], CONTROLS).pvalue
    assert sentence.startswith(
        "With m on digits, Basic + Proxy (GradCAM++, τ 0.6, λ 0.8, ρ 0.5, 3-p-2) changed test "
        "accuracy by +5.0 points (95% CI +2.5 to +7.5"
    )
    assert 0.001 < p < 0.05
    assert (
        f"raw p = {p:.2g}, Holm-adjusted p = {p:.2g}" in sentence
    )  # one comparison: Holm leaves p unchanged
    assert sentence.endswith("3 seeds): an improvement.")


def test_clear_loss_is_a_degradation_with_a_true_minus():
    row = summary_of(table(pair_rows(CONTROLS, [-0.050, -0.052, -0.048]))).iloc[0]
    sentence = comparison_sentence(row, 0.95)
    assert "by −5.0 points (95% CI −5.5 to −4.5" in sentence
    assert sentence.endswith("): a degradation.")


def test_null_states_no_detectable_effect_and_the_minimum_detectable_effect():
    gains = [0.010, -0.012, 0.003]
    row = summary_of(table(pair_rows(CONTROLS, gains))).iloc[0]
    sentence = comparison_sentence(row, 0.95)
    mde = 100 * minimum_detectable_effect(gains, 0.05)
    assert "by +0.0 points" not in sentence and "by 0.0 points" in sentence
    assert sentence.endswith(f": no detectable effect; these seeds could detect {mde:.1f} points.")
    assert mde > 2.0  # three noisy seeds cannot see a fraction of a point


def test_one_seed_says_no_interval_and_no_test():
    runs = table(pair_rows([0.80], [0.02]))
    row = summary_of(runs).iloc[0]
    assert math.isnan(row["p_holm"]) and math.isnan(row["mde"])
    assert comparison_sentence(row, 0.95).endswith(
        "by +2.0 points (1 seed: no interval and no test are possible)."
    )


def test_mixed_grid_adjusts_over_every_comparison_and_counts_each_verdict():
    runs = table(
        pair_rows(CONTROLS, [0.050, 0.052, 0.048], augmentation="basic"),
        pair_rows(CONTROLS, [0.010, -0.012, 0.003], augmentation="cutmix"),
        pair_rows(CONTROLS, [-0.030, -0.031, -0.029], augmentation="mixup", dataset="other"),
    )
    summary = summary_of(runs).set_index("augmentation")
    raw = summary["p"].sort_values()
    # Holm by hand: the k-th smallest p times (m - k + 1), made monotone, capped at 1.
    by_hand = [min(1.0, 3 * raw.iloc[0])]
    by_hand.append(min(1.0, max(by_hand[0], 2 * raw.iloc[1])))
    by_hand.append(min(1.0, max(by_hand[1], raw.iloc[2])))
    assert summary.loc[raw.index, "p_holm"].tolist() == pytest.approx(by_hand)
    assert summary.loc["basic", "verdict"] == IMPROVEMENT
    assert summary.loc["cutmix", "verdict"] == NULL
    assert summary.loc["mixup", "verdict"] == DEGRADATION
    assert tally_sentence(summary, 0.95) == (
        "Of its 3 proxy-versus-control comparisons, 1 showed an improvement and 1 a degradation "
        "of test accuracy at a Holm-adjusted p below 0.05; 1 showed no detectable effect."
    )
    assert headline(summary, 0.95).startswith(
        "In this build the proxy step improved test accuracy detectably in 1 and degraded it in "
        "1 of 3 comparisons"
    )


def test_holm_can_turn_a_raw_detection_into_no_detectable_effect():
    assert verdict(0.02, 0.03, 0.05) == IMPROVEMENT
    assert verdict(0.02, 0.09, 0.05) == NULL
    assert verdict(-0.02, 0.01, 0.05) == DEGRADATION


def test_scope_names_the_leak_twins_apart_from_the_comparisons():
    twins = [
        {**row, "schedule": "1 p p 1", "control_id": "none/seed~0", "run_id": row["run_id"] + t}
        for row in pair_rows(CONTROLS[:1], [0.0])
        if row["proxy"]
        for t in ("-fixed", "-resplit")
    ]
    runs = add_labels(table(pair_rows(CONTROLS, [0.0, 0.01, 0.02]), twins))
    sentence = scope_sentence(runs)
    assert "schedule 3-p-2 (epochs;" in sentence and "each against its control" in sentence
    assert sentence.endswith(
        "and the leak check: the proxy variant on 1-p-p-1 with the split fixed and with it "
        "re-drawn every round as the original did, without controls."
    )


def test_scope_names_exactly_what_the_build_ran():
    runs = add_labels(
        table(
            pair_rows(CONTROLS, [0.0, 0.01, 0.02], augmentation="basic"),
            pair_rows(CONTROLS, [0.0, 0.01, 0.02], augmentation="cutmix", model="resnet18"),
        )
    )
    assert scope_sentence(runs) == (
        "This build ran 12 runs (4 variants, 3 seeds); dataset digits; models m and resnet18; "
        "augmentations Basic and CutMix; schedule 3-p-2 (epochs; p: one epoch followed by the "
        "proxy step) with the proxy step (GradCAM++; τ 0.6, λ 0.8, ρ 0.5), each against its "
        "control without it."
    )


def test_null_headline_states_what_could_have_been_detected():
    summary = summary_of(table(pair_rows(CONTROLS, [0.010, -0.012, 0.003])))
    mde = 100 * summary["mde"].iloc[0]
    assert headline(summary, 0.95) == (
        "In this build the proxy step neither improved nor degraded test accuracy detectably; "
        f"these seeds could have detected differences of about {mde:.1f} points. This does not "
        "show that it has no effect, only that any effect is smaller than these seeds resolve."
    )


def test_a_comparison_without_spread_adds_nothing_to_what_could_have_been_detected():
    noisy = pair_rows(CONTROLS, [0.010, -0.012, 0.003])
    equal = pair_rows(CONTROLS, [0.01, 0.01, 0.01], augmentation="cutmix")
    summary = summary_of(table(noisy, equal))
    assert sorted(summary["mde"] > 0) == [False, True]  # equal gains: a detectable effect of 0
    mde = 100 * summary["mde"].max()
    assert f"could have detected differences of about {mde:.1f} points." in headline(summary, 0.95)


def test_signed_uses_a_true_minus_and_no_negative_zero():
    assert signed(-1.25) == "−1.2" and signed(0.31) == "+0.3" and signed(-0.04) == "0.0"
