"""Temporary folders a killed write left are removed by the next run of the same step."""

from __future__ import annotations

from proxy_attention.atomic import atomic_dir, remove_leftovers


def test_atomic_dir_removes_what_a_killed_attempt_left(tmp_path):
    left = tmp_path / ".prepared.k3j_9a0z"
    left.mkdir()
    (left / "images.npy").write_bytes(b"half")
    others = [tmp_path / ".prepared.mine", tmp_path / ".prepared2.k3j_9a0z", tmp_path / "x"]
    for folder in others:
        folder.mkdir()
    with atomic_dir(tmp_path / "prepared") as tmp:
        (tmp / "meta.json").write_text("{}")
    assert not left.exists()
    assert all(folder.exists() for folder in others)  # not atomic_dir's names for this path
    assert (tmp_path / "prepared" / "meta.json").read_text() == "{}"


def test_tagged_leftovers_only_with_their_tag(tmp_path):
    extraction = tmp_path / ".prepared.x-ab12cd34"
    extraction.mkdir()
    assert remove_leftovers(tmp_path / "prepared") == []
    assert remove_leftovers(tmp_path / "prepared", tag="x-") == [extraction]
    assert not extraction.exists()


def test_temporary_files_of_a_folder_are_removed_and_nothing_else(tmp_path):
    from proxy_attention.atomic import remove_temporaries

    left = [
        ".food-101.tar.gz.verified.json.j7_lsus_.tar.gz.verified.json",
        ".checkpoint.pt.ab12cd34.pt",
        ".step-02.x1y2z3w4",
    ]
    kept = [".hidden", ".metrics.json.notrandom", "metrics.json", ".a.b"]
    for name in left[:2] + kept:
        (tmp_path / name).write_text("x")
    (tmp_path / left[2]).mkdir()
    removed = remove_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == sorted(left)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)
