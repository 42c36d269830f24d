"""Readable variant labels decoded from a run's settings, e.g.
"CutMix + Proxy (GradCAM++, τ 0.6, λ 0.8, ρ 0.5, 3-p-2)" instead of its run-id token."""

from __future__ import annotations

import pandas as pd

from proxy_attention.schedule import total_epochs

AUGMENTATIONS = {
    "basic": "Basic",
    "cutout": "Cutout",
    "random_erasing": "Random Erasing",
    "mixup": "MixUp",
    "cutmix": "CutMix",
    "augmix": "AugMix",
    "randaugment": "RandAugment",
    "trivialaugment": "TrivialAugment",
    "saliencymix": "SaliencyMix",
    "attentive_cutmix": "Attentive CutMix",
}

METHODS = {
    "gradcam": "Grad-CAM",
    "gradcampp": "GradCAM++",
    "guided_gradcam": "Guided Grad-CAM",
    "saliency": "Saliency",
    "integrated_gradients": "Integrated Gradients",
    "smoothgrad": "SmoothGrad",
    "guided_backprop": "Guided Backprop",
    "deeplift": "DeepLIFT",
    "occlusion": "Occlusion",
    "scorecam": "Score-CAM",
    "eigengradcam": "EigenGradCAM",
}

# Names the protocol, not an outcome: whether re-splitting inflated accuracy is what
# report/leak.py measures, and a build may find it did not.
RESPLIT_MARK = " (re-split each round)"


def schedule_label(schedule: str) -> str:
    """'3 p 2' (runs.csv) -> '3-p-2'."""
    return "-".join(str(schedule).split())


def is_true(value: object) -> bool:
    # runs.csv round-trips booleans as True/False or as the strings "True"/"False".
    return str(value).strip().lower() in {"true", "1", "1.0"}


def proxy_settings_label(row: pd.Series) -> str:
    """'GradCAM++, τ 0.6, λ 0.8, ρ 0.5, 3-p-2' (mode and clearing only when not the default)."""
    parts = [METHODS.get(row["method"], str(row["method"]))]
    mode = row.get("mode")
    if mode is not None and not pd.isna(mode) and mode != "blended":
        parts.append(f"mode {mode}")
    parts += [
        f"τ {float(row['threshold']):g}",
        f"λ {float(row['weight']):g}",
        f"ρ {float(row['subset']):g}",
    ]
    clear = row.get("clear_every_step")
    if clear is not None and not pd.isna(clear) and not is_true(clear):
        parts.append("kept between steps")
    parts.append(schedule_label(row["schedule"]))
    return ", ".join(parts)


def variant_label(row: pd.Series, prefix_columns: list[str]) -> str:
    """One run's variant, decoded; ``prefix_columns`` (dataset, model) lead when they vary."""
    augmentation = AUGMENTATIONS.get(row["augmentation"], str(row["augmentation"]))
    if is_true(row["proxy"]):
        label = f"{augmentation} + Proxy ({proxy_settings_label(row)})"
    elif is_true(row.get("resplit_each_round", False)):
        label = f"{augmentation} (control, {schedule_label(row['schedule'])})"
    else:
        epochs = total_epochs(["p" if s == "p" else int(s) for s in str(row["schedule"]).split()])
        label = f"{augmentation} (control, {epochs} epochs)"
    prefix = ", ".join(str(row[c]) for c in prefix_columns)
    label = f"{prefix}: {label}" if prefix else label
    if is_true(row.get("resplit_each_round", False)):
        # The original protocol's leak inflates accuracy: such runs never pass for fair ones.
        label += RESPLIT_MARK
    return label


def decoded_labels(runs: pd.DataFrame) -> pd.Series:
    """Every run's decoded variant label; dataset and model lead when the grid varies them."""
    prefix = [c for c in ("dataset", "model") if runs[c].nunique() > 1]
    return runs.apply(variant_label, axis=1, prefix_columns=prefix)
