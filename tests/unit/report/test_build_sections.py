"""The report step on synthetic result tables: generated findings, labels, parameters table."""

import hashlib
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from proxy_attention.params import iter_schema_keys, load_params, load_schema
from proxy_attention.params_doc import allowed as _allowed
from proxy_attention.report.build import add_labels, hyperparameter_table, write_report
from proxy_attention.report.latex import breakable, escape
from proxy_attention.report.provenance import (
    colophon,
    rebuild_command,
    thesis_grid_macros,
    tree_state,
)
from tests.helpers.repo import ROOT
from tests.helpers.result_tables import pair_rows, run_row, table

CONTROLS = [0.80, 0.82, 0.84]


def write_results(runs: pd.DataFrame, results) -> None:
    results.mkdir()
    runs.to_csv(results / "runs.csv", index=False)
    epochs = runs[["run_id", "variant", "seed", "final_val_accuracy"]].merge(
        pd.DataFrame({"epoch": range(1, 7)}), how="cross"
    )
    epochs.rename(columns={"final_val_accuracy": "val_accuracy"}).to_csv(
        results / "epochs.csv", index=False
    )
    per_class = runs[["run_id", "variant", "seed"]].assign(
        **{"class": "0", "precision": 0.9, "recall": 0.9, "f1": 0.9}
    )
    per_class.to_csv(results / "per_class.csv", index=False)


def test_write_report_states_the_findings_in_the_macros(tmp_path):
    runs = table(
        pair_rows(CONTROLS, [0.04, 0.06, 0.05], augmentation="basic"),
        pair_rows(CONTROLS, [0.010, -0.012, 0.003], augmentation="cutmix"),
    )
    write_results(runs, tmp_path / "results")
    params = load_params("params.yaml")
    write_report(tmp_path / "results", params, "params.yaml", tmp_path / "out")
    macros = (tmp_path / "out" / "macros.tex").read_text()
    assert r"\newcommand{\FindingsScope}{This build ran 12 runs" in macros
    assert "augmentations Basic and CutMix; schedule 3-p-2 (epochs" in macros
    assert "1 showed an improvement and 0 a degradation" in macros
    assert r"changed test accuracy by $-$" not in macros  # both mean gains are positive
    assert r"\newcommand{\AnswerCombine}" in macros and "added to CutMix" in macros
    assert "BestVariant" not in macros and r"$\tau$ 0.6" in macros
    assert r"\newcommand{\ConfidenceLevel}{95\%}" in macros
    assert r"\newcommand{\TQuantile}{0.975}" in macros
    assert r"\newcommand{\ErrorRate}{0.05}" in macros
    # Chosen by validation: the basic proxy variant leads on validation, not by test.
    chosen = macros.split(r"\newcommand{\ChosenByValidation}")[1].splitlines()[0]
    assert chosen.startswith("{Chosen by mean validation accuracy over seeds (never by test")
    assert r"the leading variant on digits is Basic + Proxy (GradCAM++, $\tau$ 0.6" in chosen
    assert r"test accuracy 87.0\% (95\% CI 80.4 to 93.6)" in chosen
    evaluation = (tmp_path / "out" / "evaluation.tex").read_text()
    assert r"\label{tab:paired}" in evaluation and "Holm p" in evaluation
    assert "extra" not in evaluation.lower() and r"\ref{tab:paired}" in evaluation


def test_accuracy_intervals_never_leave_zero_to_one():
    from proxy_attention.report.build import control_means

    runs = add_labels(table(pair_rows([0.55, 0.98], [0.0, 0.0])))  # two seeds: t = 12.7
    means = control_means(runs, 0.95)
    assert means["ci_high"].iloc[0] == 1.0 and 0.0 <= means["ci_low"].iloc[0] < 0.55


def test_resplit_mark_only_on_runs_that_resplit():
    runs = add_labels(
        table(
            pair_rows(CONTROLS, [0.0, 0.0, 0.0]),
            [run_row("digits", "m", "basic", 0, True, 0.9, 0.95, resplit=True)],
        )
    )
    marked = runs[runs["label"].str.endswith("(re-split each round)")]
    assert marked["resplit_each_round"].all() and len(marked) == 1


def test_choice_never_falls_on_a_resplit_run():
    from proxy_attention.report.selection import choose_by_validation

    runs = add_labels(
        table(
            pair_rows(CONTROLS, [0.0, 0.0, 0.0]),
            [run_row("digits", "m", "basic", 0, True, 0.9, 0.99, resplit=True)],
        )
    )
    chosen = choose_by_validation(runs, 0.95)
    assert len(chosen) == 1 and not chosen["variant"].iloc[0].endswith("-resplit")


def test_parameters_table_shows_alternatives_booleans_and_whole_descriptions():
    root = load_schema()
    nodes = dict(iter_schema_keys(root=root))
    assert _allowed(nodes["train.batch_size"], root) == "integer (>= 1, <= 65536) or auto"
    assert _allowed(nodes["explain.baseline"], root) == "blur or number (>= 0, <= 1)"
    assert _allowed(nodes["explain.target"], root) == "predicted, true"
    # An unquoted comma inside a YAML flow mapping used to cut descriptions short.
    assert nodes["grid.seeds"]["description"].startswith(
        "seeds (initialisation, order, augmentation); at most 4294957"
    )
    for key, node in nodes.items():
        assert all(v is not None for k, v in node.items() if k != "default"), key
    text = hyperparameter_table(load_params("params.yaml"))
    assert "True" not in text and breakable("integer (>= 1, <= 65536) or auto") in text
    # Run ids and dotted keys have no spaces: breaks are allowed so they fit the margin.
    assert r"\texttt{datasets.\allowbreak{}<name>.\allowbreak{}image\_size}" in text
    assert breakable("digits/m/aug~basic") == (
        r"digits/\allowbreak{}m/\allowbreak{}aug\textasciitilde{}\allowbreak{}basic"
    )


def test_thesis_grid_numbers_come_from_its_config():
    assert thesis_grid_macros("workflow/configs/thesis.yaml") == [
        r"\newcommand{\ThesisGridRuns}{21{,}690}",
        r"\newcommand{\ThesisGridBundles}{1{,}170}",
    ]


def test_colophon_names_hashes_tree_state_and_the_rebuild_command():
    text = colophon("params.yaml")
    assert "SHA-256" in text and "requirements.lock" in text
    assert ("dirty" in text) != ("clean" in text)
    assert r"\texttt{bash workflow/scripts/run-pipeline.sh}" in text
    assert rebuild_command("workflow/configs/thesis.yaml") == (
        ".venv/bin/snakemake --cores N --config params=workflow/configs/thesis.yaml"
    )
    assert "-{}-cores" in escape(rebuild_command("workflow/configs/thesis.yaml"))


@pytest.mark.parametrize("where", ["configs", "outside"])
def test_the_colophon_is_complete_wherever_the_params_file_lies(tmp_path, monkeypatch, where):
    monkeypatch.chdir(ROOT)  # where the steps run
    params = "workflow/configs/thesis.yaml"
    if where == "outside":
        params = str(tmp_path / "mine.yaml")
        Path(params).write_bytes((ROOT / "params.yaml").read_bytes())
    text = colophon(params)
    lock = hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()[:12]
    assert f"requirements.lock \\texttt{{{lock}}}" in text
    assert "not a git checkout" not in text and ("dirty" in text) != ("clean" in text)


def test_the_builds_own_metrics_do_not_make_a_fresh_clone_dirty(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "params.yaml").write_text("a: 1\n")
    git("add", "params.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "metrics.json").write_text("{}")  # what a build writes
    (tmp_path / "dvc.lock").write_text("schema: '2.0'\n")
    assert tree_state(tmp_path)[1] is False
    (tmp_path / "params.yaml").write_text("a: 2\n")  # a source change
    assert tree_state(tmp_path)[1] is True


@pytest.mark.parametrize("text", ["--cores", "a---b"])
def test_escape_never_leaves_two_hyphens_to_become_a_dash(text):
    assert "--" not in escape(text)


def test_a_build_without_proxy_runs_says_so(tmp_path):
    runs = table(pair_rows(CONTROLS, [0.0, 0.0, 0.0]))
    write_results(runs[~runs["proxy"]], tmp_path / "results")
    write_report(tmp_path / "results", load_params("params.yaml"), "params.yaml", tmp_path / "o")
    macros = (tmp_path / "o" / "macros.tex").read_text()
    assert "It has no proxy-versus-control comparison." in macros
    assert "This build has no proxy run, so it says nothing about the proxy step." in macros
    assert r"\label{tab:paired}" in (tmp_path / "o" / "evaluation.tex").read_text()
