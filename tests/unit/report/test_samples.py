"""The thesis' dataset section: its table of images repeated across splits."""

import json

from proxy_attention.report.samples import duplicates_table


def test_the_duplicates_table_has_a_row_per_dataset_and_split_pair(tmp_path):
    report = {
        "exact": {"train/val": 0, "train/test": 3, "val/test": 1},
        "near": {"train/val": 2, "train/test": 7, "val/test": 1},
        "repeated": {"exact": 4},
        "test_leaked": 4,
    }
    file = tmp_path / "my_photos.duplicates.json"
    file.write_text(json.dumps(report))
    tex = duplicates_table([file])
    rows = [line for line in tex.splitlines() if line.endswith(r"\\")]
    assert rows[1:] == [
        r"\texttt{my\_photos} & train/val & 0 & 2 \\",
        r"\texttt{my\_photos} & train/test & 3 & 7 \\",
        r"\texttt{my\_photos} & val/test & 1 & 1 \\",
    ]
    assert r"\label{tab:duplicates}" in tex
