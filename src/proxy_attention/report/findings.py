"""What a build found: the numbers and verdicts of its sentences, pure functions of the tables.

The input is the paired summary of report/comparison.py (one row per proxy variant against its
control: mean_diff, ci_low, ci_high, p, p_holm, mde, n as fractions of accuracy) and runs.csv.
The words are thesis/templates/findings.tex.j2's; this module hands it plain data (numbers
already formatted, Unicode τ, λ, ρ, −), and report/latex.py escapes the text for the thesis.
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
from proxy_attention.report.templates import FINDINGS_WORDS, phrase

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


def has_folds(table: pd.DataFrame | pd.Series) -> bool:
    """Whether these runs (or this comparison) are cross-validation folds (split.folds > 1)."""
    if isinstance(table, pd.Series):
        folds = table.get("folds", 0)
        return bool(pd.notna(folds) and folds > 0)
    return fold_count(table) > 0


def _folds(row: pd.Series) -> int:
    """The comparison's fold count, 0 without folds."""
    return int(row["folds"]) if has_folds(row) else 0


def folds_method_sentence(runs: pd.DataFrame) -> str:
    """How folds are analysed, in words: nothing without folds."""
    return phrase(FINDINGS_WORDS, "folds_method", folds=fold_count(runs) if has_folds(runs) else 0)


def subject(row: pd.Series) -> str:
    """The proxy variant without its data set and model (the sentence names those first)."""
    augmentation = AUGMENTATIONS.get(row["augmentation"], row["augmentation"])
    mark = RESPLIT_MARK if is_true(row.get("resplit_each_round", False)) else ""
    return f"{augmentation} + Proxy ({proxy_settings_label(row)}){mark}"


def comparison(row: pd.Series, confidence: float) -> dict:
    """One proxy variant against its control, as the template's comparison() reads it."""
    has_interval = not (row["n"] < 2 or math.isnan(row["ci_low"]))
    return {
        "model": row["model"],
        "dataset": row["dataset"],
        "subject": subject(row),
        "diff": points(row["mean_diff"]),
        "n": row["n"],
        "folds": _folds(row),
        "has_interval": has_interval,
        "level": level(confidence),
        "low": points(row["ci_low"]) if has_interval else None,
        "high": points(row["ci_high"]) if has_interval else None,
        "tested": has_interval and not math.isnan(row["p_holm"]),
        "p": p_text(row["p"]) if has_interval else None,
        "p_holm": p_text(row["p_holm"]) if has_interval else None,
        "verdict": verdict(row["mean_diff"], row["p_holm"], 1.0 - confidence),
        "mde": f"{100 * row['mde']:.1f}" if has_interval else None,
    }


def comparison_sentence(row: pd.Series, confidence: float) -> str:
    """E.g. "With m on d, <label> changed test accuracy by −0.5 points (95% CI −1.3 to +0.3,
    Holm-adjusted p = 0.13, 3 seeds): no detectable effect; these seeds could detect 1.9
    points." """
    return phrase(FINDINGS_WORDS, "comparison", c=comparison(row, confidence))


def tally(paired: pd.DataFrame, confidence: float) -> dict[str, int]:
    if paired.empty:
        return dict.fromkeys((IMPROVEMENT, DEGRADATION, NULL, UNTESTED), 0)
    found = [
        verdict(m, p, 1.0 - confidence)
        for m, p in zip(paired["mean_diff"], paired["p_holm"], strict=True)
    ]
    return {kind: found.count(kind) for kind in (IMPROVEMENT, DEGRADATION, NULL, UNTESTED)}


def _counts(paired: pd.DataFrame, confidence: float) -> dict:
    """The verdicts' counts under the template's names."""
    counts = tally(paired, confidence)
    return {
        "total": len(paired),
        "improvement": counts[IMPROVEMENT],
        "degradation": counts[DEGRADATION],
        "null": counts[NULL],
        "untested": counts[UNTESTED],
    }


def scope(runs: pd.DataFrame) -> dict:
    """Exactly what this build ran: datasets, models, augmentations, schedules, proxy settings."""
    all_proxy = runs[runs["proxy"].astype(bool)]
    # Leak twins (grid.leak_check) have no control: they are named apart from the comparisons.
    compared = all_proxy["control_id"].isin(runs["run_id"])
    proxy, twins = all_proxy[compared], all_proxy[~compared]
    knobs = [
        (symbol, [f"{v:g}" for v in sorted(proxy[column].unique())])
        for symbol, column in (("τ", "threshold"), ("λ", "weight"), ("ρ", "subset"))
    ]
    return {
        "runs": len(runs),
        "variants": runs["variant"].nunique(),
        "seeds": runs["seed"].nunique(),
        "folds": fold_count(runs) if has_folds(runs) else 0,
        "datasets": sorted(runs["dataset"].unique()),
        "models": sorted(runs["model"].unique()),
        "augmentations": [AUGMENTATIONS.get(a, a) for a in sorted(runs["augmentation"].unique())],
        "schedules": sorted({schedule_label(s) for s in proxy["schedule"]}),
        "methods": [METHODS.get(m, m) for m in sorted(proxy["method"].dropna().unique())],
        "knobs": knobs,
        "leak_schedules": sorted({schedule_label(s) for s in twins["schedule"]}),
        "resplit": bool(runs["resplit_each_round"].astype(bool).any()),
    }


def scope_sentence(runs: pd.DataFrame) -> str:
    return phrase(FINDINGS_WORDS, "scope", s=scope(runs))


def tally_sentence(paired: pd.DataFrame, confidence: float) -> str:
    return phrase(FINDINGS_WORDS, "tally", t=_tally(paired, confidence))


def _tally(paired: pd.DataFrame, confidence: float) -> dict:
    return {**_counts(paired, confidence), "alpha": f"{1 - confidence:.2g}"}


def listed(paired: pd.DataFrame, confidence: float) -> list[dict]:
    """Every comparison on small grids; on big ones the detected effects only."""
    rows = list(paired.itertuples(index=False))
    if len(rows) > MAX_LISTED:
        alpha = 1.0 - confidence
        detected = paired[paired["p_holm"] < alpha]
        rows = list(
            detected.reindex(detected["mean_diff"].abs().sort_values(ascending=False).index)
            .head(MAX_LISTED)
            .itertuples(index=False)
        )
    return [comparison(pd.Series(r._asdict()), confidence) for r in rows]


def _interval(row, confidence: float) -> dict:
    """A mean's interval in percent, or none (one seed)."""
    if math.isnan(row.ci_low):
        return {"level": level(confidence), "low": None, "high": None}
    low, high = f"{100 * row.ci_low:.1f}", f"{100 * row.ci_high:.1f}"
    return {"level": level(confidence), "low": low, "high": high}


def chosen(table: pd.DataFrame, confidence: float, folds: bool = False) -> dict:
    """The variant chosen by validation accuracy and its test accuracy, per dataset."""
    rows = [
        {
            "dataset": row.dataset,
            "label": row.label,
            "val": f"{100 * row.val_mean:.1f}",
            "test": f"{100 * row.mean:.1f}",
            **_interval(row, confidence),
        }
        for row in table.itertuples(index=False)
    ]
    return {"rows": rows, "folds": folds}


def chosen_sentence(table: pd.DataFrame, confidence: float, folds: bool = False) -> str:
    return phrase(FINDINGS_WORDS, "chosen", c=chosen(table, confidence, folds))


def _folded(paired: pd.DataFrame) -> bool:
    """Whether the comparisons average over folds and seeds, not seeds alone."""
    return "folds" in paired and bool((paired["folds"] > 0).any())


def cost(paired: pd.DataFrame) -> dict:
    """The proxy step's own measured time and its share of the run's training time."""
    if paired.empty:
        return {"measured": False}
    seconds, share = paired["proxy_seconds"], 100 * paired["proxy_share"]
    return {
        "measured": True,
        "low": f"{seconds.min():.1f}",
        "high": f"{seconds.max():.1f}",
        "share_low": f"{share.min():.0f}",
        "share_high": f"{share.max():.0f}",
        "folds": _folded(paired),
    }


def cost_sentence(paired: pd.DataFrame) -> str:
    return phrase(FINDINGS_WORDS, "cost", c=cost(paired))


def _headline(paired: pd.DataFrame, confidence: float) -> dict:
    """The counts, and the span of effects the seeds could detect."""
    # Equal differences on every seed leave no spread: such a comparison is not tested,
    # and its detectable effect of 0 would claim a resolution the seeds do not have.
    detectable = paired.loc[paired["mde"] > 0, "mde"] if len(paired) else pd.Series()
    found = len(detectable) > 0
    return {
        **_counts(paired, confidence),
        "folds": not paired.empty and _folded(paired),
        "mde_low": f"{100 * detectable.min():.1f}" if found else None,
        "mde_high": f"{100 * detectable.max():.1f}" if found else None,
    }


def headline(paired: pd.DataFrame, confidence: float) -> str:
    """The one-sentence conclusion of the comparisons, restricted to what they support."""
    return phrase(FINDINGS_WORDS, "headline", h=_headline(paired, confidence))


def controls(control_means: pd.DataFrame, confidence: float) -> list[dict]:
    """Each augmentation without the proxy step: mean test accuracy with its interval."""
    return [
        {"label": row.label, "test": f"{100 * row.mean:.1f}", **_interval(row, confidence)}
        for row in control_means.itertuples(index=False)
    ]


def combine(paired: pd.DataFrame, confidence: float) -> list[dict]:
    """Per augmentation, what adding the proxy step did (never averaged across augmentations)."""
    return [
        {
            "name": AUGMENTATIONS.get(augmentation, augmentation),
            **_counts(group, confidence),
            "n": len(group),
            "diffs": sorted({points(v) for v in group["mean_diff"]}),
        }
        for augmentation, group in (
            paired.groupby("augmentation", sort=True) if len(paired) else []
        )
    ]


PLACES = (
    "Scope",
    "Abstract",
    "Evaluation",
    "AnswerFeasible",
    "AnswerAccuracy",
    "AnswerCombine",
    "Conclusion",
    "ChosenByValidation",
)


def findings_paragraphs(
    runs: pd.DataFrame,
    paired: pd.DataFrame,
    chosen_table: pd.DataFrame,
    control_means: pd.DataFrame,
    confidence: float,
) -> dict[str, str]:
    """The generated text of the thesis, by place: abstract, evaluation opening, answers, end."""
    data = {
        "scope": scope(runs),
        "folds": fold_count(runs) if has_folds(runs) else 0,
        "tally": _tally(paired, confidence),
        "listed": listed(paired, confidence),
        "cost": cost(paired),
        "chosen": chosen(chosen_table, confidence, has_folds(runs)),
        "headline": _headline(paired, confidence),
        "controls": controls(control_means, confidence),
        "combine": combine(paired, confidence),
    }
    return {place: phrase(FINDINGS_WORDS, place, f=data) for place in PLACES}
