"""Variant labels decoded from the settings instead of run-id tokens."""

from proxy_attention.report.build import add_labels
from tests.helpers.result_tables import run_row, table


def test_labels_decode_every_setting_and_lead_with_what_varies():
    runs = add_labels(
        table(
            [
                run_row("digits", "m", "cutmix", 0, True, 0.9, 0.9),
                run_row("digits", "m", "cutmix", 0, False, 0.9, 0.9),
                run_row(
                    "digits",
                    "r",
                    "random_erasing",
                    0,
                    True,
                    0.9,
                    0.9,
                    mode="zero",
                    clear_every_step=False,
                    threshold=0.85,
                ),
            ]
        )
    )
    assert runs["label"].tolist() == [
        "m: CutMix + Proxy (GradCAM++, τ 0.6, λ 0.8, ρ 0.5, 3-p-2)",
        "m: CutMix (control, 6 epochs)",
        "r: Random Erasing + Proxy (GradCAM++, mode zero, τ 0.85, λ 0.8, ρ 0.5, "
        "kept between steps, 3-p-2)",
    ]


def test_booleans_read_back_from_csv_as_strings_still_decode():
    runs = table([run_row("digits", "m", "basic", 0, "True", 0.9, 0.9, clear_every_step="False")])
    assert add_labels(runs)["label"].iloc[0].endswith("kept between steps, 3-p-2)")
