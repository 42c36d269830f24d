"""What a build found, in sentences with its numbers: pure functions of the result tables.

The input is the paired summary of report/comparison.py (one row per proxy variant against its
control: mean_diff, ci_low, ci_high, p, p_holm, mde, n as fractions of accuracy) and runs.csv.
The output is plain text (Unicode τ, λ, ρ, −); report/latex.py escapes it for the thesis.
"""

from __future__ import annotations

import math

import pandas as pd

from proxy_attention.report.labels import (
    AUGMENTATIONS,
    METHODS,
    RESPLIT_MARK,
    is_true,
    proxy_settings_label,
    schedule_label,
)
from proxy_attention.report.stats import fold_count

IMPROVEMENT, DEGRADATION, NULL, UNTESTED = (
    "improvement",
    "degradation",
    "no detectable effect",
    "no test possible",
)
# Sentences listed one by one in the evaluation; beyond this only the counts and the
# detectable effects are spelled out (the thesis grid has thousands of comparisons).
MAX_LISTED = 8


def verdict(mean_diff: float, p_holm: float, alpha: float) -> str:
    """An improvement or degradation only when the Holm-adjusted p is below ``alpha``."""
    if p_holm is None or math.isnan(p_holm):
        return UNTESTED
    if p_holm < alpha:
        return IMPROVEMENT if mean_diff > 0 else DEGRADATION
    return NULL


def signed(value: float, digits: int = 1) -> str:
    """A signed number with a true minus sign: +0.3, −1.3, 0.0."""
    text = f"{value:+.{digits}f}"
    if float(text) == 0.0:
        return f"{0.0:.{digits}f}"
    return text.replace("-", "−")


def points(fraction: float) -> str:
    return signed(100.0 * fraction)


def p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.2g}" if p < 0.1 else f"= {p:.2f}"


def level(confidence: float) -> str:
    return f"{100 * confidence:g}%"


def seeds_text(n: int) -> str:
    return "1 seed" if n == 1 else f"{n} seeds"


def has_folds(table: pd.DataFrame | pd.Series) -> bool:
    """Whether these runs (or this comparison) are cross-validation folds (split.folds > 1)."""
    if isinstance(table, pd.Series):
        folds = table.get("folds", 0)
        return bool(pd.notna(folds) and folds > 0)
    return fold_count(table) > 0


def pairs_text(row: pd.Series) -> str:
    """The comparison's unit and count: seeds, or (fold, seed) pairs with the corrected test."""
    if not has_folds(row):
        return seeds_text(row["n"])
    return f"{row['n']} (fold, seed) pairs over {row['folds']} folds, corrected resampled t-test"


def unit_word(row: pd.Series) -> str:
    return "these (fold, seed) pairs" if has_folds(row) else "these seeds"


def folds_method_sentence(runs: pd.DataFrame) -> str:
    """How folds are analysed, in words: nothing without folds."""
    if not has_folds(runs):
        return ""
    folds = fold_count(runs)
    return (
        f"The runs are {folds} stratified cross-validation folds of the training pool, each "
        "fold validated on itself and trained on the others, all tested on the same held-out "
        "test set; the unit of analysis is the (fold, seed) pair, a proxy run against its "
        "control on the same fold and seed. The folds share most of their training data, so "
        "their differences are not independent: intervals and p-values use the corrected "
        "resampled t-test of Nadeau and Bengio (2003), whose variance of the mean difference "
        "is s²(1/J + n_test/n_train) instead of s²/J (J pairs, n_test the validation fold's "
        "size, n_train the fold's training size), and variants are chosen by their "
        "validation accuracy averaged over the folds."
    )


def folds_reading_note(runs: pd.DataFrame) -> str:
    """For the chapter's captions, which speak of seeds and Student-t intervals: what they mean
    in a build over folds. Nothing without folds."""
    if not has_folds(runs):
        return ""
    return (
        "\\paragraph{Reading this chapter over folds.} In this build the tables and figures "
        "below pool (fold, seed) pairs wherever their captions say seeds, and every interval "
        "and $p$-value over them is the corrected resampled one of Nadeau and Bengio (2003), "
        "not the plain Student-$t$ a caption names; each dot of a figure is one (fold, seed) "
        "pair.\n"
    )


def setting(row: pd.Series) -> str:
    return f"With {row['model']} on {row['dataset']}"


def subject(row: pd.Series) -> str:
    """The proxy variant without its data set and model (the sentence names those first)."""
    augmentation = AUGMENTATIONS.get(row["augmentation"], row["augmentation"])
    mark = RESPLIT_MARK if is_true(row.get("resplit_each_round", False)) else ""
    return f"{augmentation} + Proxy ({proxy_settings_label(row)}){mark}"


def comparison_sentence(row: pd.Series, confidence: float) -> str:
    """One proxy variant against its control, e.g. "With m on d, <label> changed test accuracy
    by −0.5 points (95% CI −1.3 to +0.3, Holm-adjusted p = 0.13, 3 seeds): no detectable effect;
    these seeds could detect 1.9 points." """
    head = (
        f"{setting(row)}, {subject(row)} changed test accuracy by {points(row['mean_diff'])} points"
    )
    if row["n"] < 2 or math.isnan(row["ci_low"]):
        return f"{head} ({pairs_text(row)}: no interval and no test are possible)."
    found = verdict(row["mean_diff"], row["p_holm"], 1.0 - confidence)
    stats = (
        f"{level(confidence)} CI {points(row['ci_low'])} to {points(row['ci_high'])}, "
        f"raw p {p_text(row['p'])}, Holm-adjusted p {p_text(row['p_holm'])}, "
        f"{pairs_text(row)}"
        if not math.isnan(row["p_holm"])
        else f"{level(confidence)} CI {points(row['ci_low'])} to {points(row['ci_high'])}, "
        f"{pairs_text(row)}, identical differences"
    )
    if found == NULL:
        return (
            f"{head} ({stats}): no detectable effect; {unit_word(row)} could detect "
            f"{100 * row['mde']:.1f} points."
        )
    if found == UNTESTED:
        return f"{head} ({stats}): no test is possible."
    return f"{head} ({stats}): {'an' if found == IMPROVEMENT else 'a'} {found}."


def tally(paired: pd.DataFrame, confidence: float) -> dict[str, int]:
    if paired.empty:
        return dict.fromkeys((IMPROVEMENT, DEGRADATION, NULL, UNTESTED), 0)
    found = [
        verdict(m, p, 1.0 - confidence)
        for m, p in zip(paired["mean_diff"], paired["p_holm"], strict=True)
    ]
    return {kind: found.count(kind) for kind in (IMPROVEMENT, DEGRADATION, NULL, UNTESTED)}


def _listing(names: list[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def scope_sentence(runs: pd.DataFrame) -> str:
    """Exactly what this build ran: datasets, models, augmentations, schedules, proxy settings."""
    all_proxy = runs[runs["proxy"].astype(bool)]
    # Leak twins (grid.leak_check) have no control: they are named apart from the comparisons.
    compared = all_proxy["control_id"].isin(runs["run_id"])
    proxy, twins = all_proxy[compared], all_proxy[~compared]
    schedules = sorted({schedule_label(s) for s in proxy["schedule"]})
    augmentations = [AUGMENTATIONS.get(a, a) for a in sorted(runs["augmentation"].unique())]
    methods = [METHODS.get(m, m) for m in sorted(proxy["method"].dropna().unique())]
    parts = [
        f"{_plural(len(runs), 'run')} ({_plural(runs['variant'].nunique(), 'variant')}, "
        f"{_replicates(runs)})",
        f"{'dataset' if runs['dataset'].nunique() == 1 else 'datasets'} "
        f"{_listing(sorted(runs['dataset'].unique()))}",
        f"{'model' if runs['model'].nunique() == 1 else 'models'} "
        f"{_listing(sorted(runs['model'].unique()))}",
        f"{'augmentation' if len(augmentations) == 1 else 'augmentations'} "
        f"{_listing(augmentations)}",
    ]
    if schedules:
        values = {
            "τ": sorted(proxy["threshold"].unique()),
            "λ": sorted(proxy["weight"].unique()),
            "ρ": sorted(proxy["subset"].unique()),
        }
        knobs = ", ".join(f"{k} {_listing([f'{v:g}' for v in vs])}" for k, vs in values.items())
        parts.append(
            f"{'schedule' if len(schedules) == 1 else 'schedules'} {_listing(schedules)} "
            "(epochs; p: one epoch followed by the proxy step) "
            f"with the proxy step ({_listing(methods)}; {knobs}), each against its control "
            "without it"
        )
    else:
        parts.append("no proxy step")
    if not twins.empty:
        leak = sorted({schedule_label(s) for s in twins["schedule"]})
        parts.append(
            f"and the leak check: the proxy variant on {_listing(leak)} with the split fixed and "
            "with it re-drawn every round as the original did, without controls"
        )
    elif runs["resplit_each_round"].astype(bool).any():
        parts.append("and re-split runs that reproduce the original protocol's leak")
    return "This build ran " + "; ".join(parts) + "."


def _replicates(runs: pd.DataFrame) -> str:
    seeds = seeds_text(runs["seed"].nunique())
    if not has_folds(runs):
        return seeds
    return f"{_plural(fold_count(runs), 'fold')} × {seeds}"


def tally_sentence(paired: pd.DataFrame, confidence: float) -> str:
    if paired.empty:
        return "It has no proxy-versus-control comparison."
    counts = tally(paired, confidence)
    total = len(paired)
    alpha = f"{1 - confidence:.2g}"
    text = (
        f"Of its {_plural(total, 'proxy-versus-control comparison')}, {counts[IMPROVEMENT]} "
        f"showed an improvement and {counts[DEGRADATION]} a degradation of test accuracy at a "
        f"Holm-adjusted p below {alpha}; {counts[NULL]} showed no detectable effect"
    )
    if counts[UNTESTED]:
        text += f", and {counts[UNTESTED]} could not be tested"
    return text + "."


def listed_sentences(paired: pd.DataFrame, confidence: float) -> list[str]:
    """Every comparison's sentence on small grids; on big ones the detected effects only."""
    rows = list(paired.itertuples(index=False))
    if len(rows) > MAX_LISTED:
        alpha = 1.0 - confidence
        detected = paired[paired["p_holm"] < alpha]
        rows = list(
            detected.reindex(detected["mean_diff"].abs().sort_values(ascending=False).index)
            .head(MAX_LISTED)
            .itertuples(index=False)
        )
    return [comparison_sentence(pd.Series(r._asdict()), confidence) for r in rows]


def chosen_sentence(chosen: pd.DataFrame, confidence: float, folds: bool = False) -> str:
    """The variant chosen by validation accuracy and its test accuracy, per dataset."""
    parts = []
    for k, row in enumerate(chosen.itertuples(index=False)):
        interval = (
            ""
            if math.isnan(row.ci_low)
            else f" ({level(confidence)} CI {100 * row.ci_low:.1f} to {100 * row.ci_high:.1f})"
        )
        parts.append(
            f"on {row.dataset} {'is' if k == 0 else 'it is'} {row.label}, with validation "
            f"accuracy {100 * row.val_mean:.1f}% and test accuracy "
            f"{100 * row.mean:.1f}%{interval}"
        )
    over = "folds and seeds" if folds else "seeds"
    return (
        f"Chosen by mean validation accuracy over {over} (never by test accuracy), the leading "
        "variant " + "; ".join(parts) + "."
    )


def _over(paired: pd.DataFrame) -> str:
    """What the comparisons average over: seeds, or folds and seeds."""
    folded = "folds" in paired and bool((paired["folds"] > 0).any())
    return "folds and seeds" if folded else "seeds"


def cost_sentence(paired: pd.DataFrame) -> str:
    """The proxy step's own measured time and its share of the run's training time."""
    if paired.empty:
        return "No run of this build had a proxy step, so it cost nothing."
    low, high = paired["proxy_seconds"].min(), paired["proxy_seconds"].max()
    share_low, share_high = 100 * paired["proxy_share"].min(), 100 * paired["proxy_share"].max()
    span = f"{low:.1f} s" if round(low, 1) == round(high, 1) else f"{low:.1f} to {high:.1f} s"
    share = (
        f"{share_low:.0f}%"
        if round(share_low) == round(share_high)
        else f"{share_low:.0f}% to {share_high:.0f}%"
    )
    return (
        f"The proxy steps of a run took {span} in total, measured inside the run (mean over "
        f"{_over(paired)} per variant), which is {share} of the run's training time."
    )


def headline(paired: pd.DataFrame, confidence: float) -> str:
    """The one-sentence conclusion of the comparisons, restricted to what they support."""
    if paired.empty:
        return "This build has no proxy run, so it says nothing about the proxy step."
    counts = tally(paired, confidence)
    if counts[IMPROVEMENT] == counts[DEGRADATION] == 0:
        # Equal differences on every seed leave no spread: such a comparison is not tested,
        # and its detectable effect of 0 would claim a resolution the seeds do not have.
        detectable = paired.loc[paired["mde"] > 0, "mde"]
        low, high = (100 * detectable.min(), 100 * detectable.max()) if len(detectable) else (0, 0)
        span = (
            f"{low:.1f} points"
            if round(low, 1) == round(high, 1)
            else f"{low:.1f} to {high:.1f} points"
        )
        unit = "these (fold, seed) pairs" if _over(paired) != "seeds" else "these seeds"
        reach = (
            f"; {unit} could have detected differences of about {span}" if len(detectable) else ""
        )
        return (
            "In this build the proxy step neither improved nor degraded test accuracy "
            f"detectably{reach}. This does not show that it has no effect, only that any effect "
            "is smaller than these seeds resolve."
        )
    return (
        f"In this build the proxy step improved test accuracy detectably in "
        f"{counts[IMPROVEMENT]} and degraded it in {counts[DEGRADATION]} of "
        f"{_plural(len(paired), 'comparison')}; the others showed no detectable effect."
    )


def controls_sentence(runs: pd.DataFrame, control_means: pd.DataFrame, confidence: float) -> str:
    """Each augmentation without the proxy step: mean test accuracy with its interval."""
    parts = []
    for row in control_means.itertuples(index=False):
        interval = (
            ""
            if math.isnan(row.ci_low)
            else f" ({level(confidence)} CI {100 * row.ci_low:.1f} to {100 * row.ci_high:.1f})"
        )
        parts.append(f"{row.label} {100 * row.mean:.1f}%{interval}")
    if not parts:
        return "The build has no control run without the proxy step."
    return "Without the proxy step, test accuracy was " + "; ".join(parts) + "."


def combine_answer(paired: pd.DataFrame, confidence: float) -> str:
    """Per augmentation, what adding the proxy step did (never averaged across augmentations)."""
    parts = []
    for augmentation, group in paired.groupby("augmentation", sort=True) if len(paired) else []:
        name = AUGMENTATIONS.get(augmentation, augmentation)
        counts = tally(group, confidence)
        parts.append(
            f"added to {name}, the proxy step gave {_plural(counts[IMPROVEMENT], 'improvement')}, "
            f"{_plural(counts[DEGRADATION], 'degradation')} and "
            f"{_plural(counts[NULL], 'comparison')} with no detectable effect"
            + (f", {counts[UNTESTED]} untested" if counts[UNTESTED] else "")
            + " (mean paired "
            f"{'difference' if len(group) == 1 else 'differences'} "
            f"{_listing(sorted({points(v) for v in group['mean_diff']}))} points)"
        )
    if not parts:
        return "No augmentation was combined with the proxy step in this build."
    return "In this build, " + "; ".join(parts) + "."


def findings_paragraphs(
    runs: pd.DataFrame,
    paired: pd.DataFrame,
    chosen: pd.DataFrame,
    control_means: pd.DataFrame,
    confidence: float,
) -> dict[str, str]:
    """The generated text of the thesis, by place: abstract, evaluation opening, answers, end."""
    scope = scope_sentence(runs)
    comparisons = " ".join(
        [tally_sentence(paired, confidence), *listed_sentences(paired, confidence)]
    )
    method = folds_method_sentence(runs)
    chosen_text = chosen_sentence(chosen, confidence, has_folds(runs)) if not chosen.empty else ""
    return {
        "Scope": scope,
        "Abstract": " ".join([scope, headline(paired, confidence), chosen_text]).strip(),
        "Evaluation": " ".join(
            part
            for part in (scope, method, comparisons, cost_sentence(paired), chosen_text)
            if part
        ),
        "AnswerFeasible": cost_sentence(paired),
        "AnswerAccuracy": " ".join(
            part for part in (method, comparisons, headline(paired, confidence)) if part
        ),
        "AnswerCombine": " ".join(
            [controls_sentence(runs, control_means, confidence), combine_answer(paired, confidence)]
        ),
        "Conclusion": " ".join([scope, headline(paired, confidence)]),
        "ChosenByValidation": chosen_text,
    }
