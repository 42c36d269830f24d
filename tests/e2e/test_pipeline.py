"""The real Snakemake DAG and DVC pipeline, on a tiny configuration, to the thesis PDF."""

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest
import yaml

from proxy_attention.grid import expand_grid
from proxy_attention.params import validate_params
from tests.e2e.conftest import run
from tests.helpers.workflow import declared_outputs, undeclared

pytestmark = pytest.mark.e2e


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_snakemake_builds_the_thesis_and_is_then_up_to_date(tiny_project):
    run(["snakemake", "--cores", "2"], tiny_project)
    pdf = tiny_project / "thesis" / "build" / "thesis.pdf"
    assert pdf.stat().st_size > 10_000
    runs = pd.read_csv(tiny_project / "data" / "results" / "runs.csv")
    # the comparison: basic and CutMix, each with and without the proxy step
    assert len(runs) == 4 and set(runs["proxy"]) == {True, False}
    assert set(runs["augmentation"]) == {"basic", "cutmix"}
    for _, proxy_run in runs[runs["proxy"]].iterrows():
        step = tiny_project / "data" / "runs" / proxy_run["run_id"] / "proxy" / "step-01"
        assert (step / "record.json").exists() and (step / "indices.npy").exists()
    generated = tiny_project / "thesis" / "generated"
    evaluation = (generated / "evaluation.tex").read_text()
    assert r"\label{tab:paired}" in evaluation and r"\label{fig:cost-gain}" in evaluation
    assert (generated / "figures" / "cost_gain.pdf").stat().st_size > 0
    text = pdf_text(pdf)
    for accuracy in runs["test_accuracy"]:
        assert f"{100 * accuracy:.1f}" in text  # the generated results table made it into the PDF
    log = (tiny_project / "thesis" / "build" / "latex" / "thesis.log").read_text(errors="replace")
    assert not re.search(r"(Reference|Citation) .* undefined", log)
    dry = run(["snakemake", "-n"], tiny_project)
    assert "Nothing to be done" in dry.stdout + dry.stderr
    # Every file the build wrote under thesis/generated is a declared output (or in one).
    written = [str(p.relative_to(tiny_project)) for p in generated.rglob("*") if p.is_file()]
    assert len(written) > 20 and undeclared(written, declared_outputs(tiny_project)) == []

    # One changed result flows into the PDF with no hand edits, and retrains nothing.
    metrics_path = tiny_project / "data" / "runs" / runs["run_id"].iloc[0] / "metrics.json"
    metrics = json.loads(metrics_path.read_text())
    # Counted, not searched: a figure's axis may print 12.3 by chance (a proxy share of 12.3 %).
    before = text.count("12.3")
    metrics["test"]["accuracy"] = 0.123456
    metrics_path.write_text(json.dumps(metrics))
    rebuilt = run(["snakemake", "--cores", "2"], tiny_project)
    assert "rule train" not in rebuilt.stdout + rebuilt.stderr
    assert pdf_text(pdf).count("12.3") > before


def test_adding_a_seed_trains_only_the_new_runs(tiny_project):
    run(["snakemake", "--cores", "2", "runs"], tiny_project)
    params = yaml.safe_load((tiny_project / "params.yaml").read_text())
    runs_per_seed = len(expand_grid(validate_params(params)))
    params["grid"]["seeds"] = [0, 1]
    (tiny_project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    dry = run(["snakemake", "-n", "runs"], tiny_project)
    output = dry.stdout + dry.stderr
    jobs = re.search(r"^train\s+(\d+)$", output, re.MULTILINE)
    assert jobs and int(jobs.group(1)) == runs_per_seed
    wildcards = [line for line in output.splitlines() if "wildcards:" in line]
    assert wildcards and all("seed~1" in line for line in wildcards)


def test_dvc_repro_reproduces_then_is_up_to_date(tiny_project, monkeypatch):
    # The project's own copy of the package runs, so that editing it below is a code change.
    monkeypatch.setenv("PYTHONPATH", str(tiny_project / "src"))
    run(["git", "init", "-q"], tiny_project)
    run(["dvc", "repro"], tiny_project, timeout=1200)
    lock = yaml.safe_load((tiny_project / "dvc.lock").read_text())
    outs = {o["path"]: o for stage in lock["stages"].values() for o in stage.get("outs", [])}
    assert {"data/prepared", "data/splits", "data/runs", "thesis/build/thesis.pdf"} <= set(outs)
    assert all(re.fullmatch(r"[0-9a-f]{32}(\.dir)?", o["md5"]) for o in outs.values())
    again = run(["dvc", "repro"], tiny_project)
    assert "Data and pipelines are up to date" in again.stdout
    status = run(["dvc", "status"], tiny_project)
    assert "Data and pipelines are up to date" in status.stdout
    run(["dvc", "push"], tiny_project)
    assert any((tiny_project / "dvc-storage").rglob("*"))
    dry = run(["snakemake", "-n"], tiny_project)
    assert "Nothing to be done" in dry.stdout + dry.stderr
    shutil.rmtree(tiny_project / "data" / "splits")
    run(["dvc", "pull"], tiny_project)
    assert (tiny_project / "data" / "splits" / "digits.npz").exists()
    for module, expected in CODE_CHANGES.items():
        assert code_change_plans(tiny_project, module) == expected, module


# A statement added to one module -> (the jobs `snakemake -n` plans, by rule: those that run the
# module and what follows them; the DVC stages whose deps changed: those holding the rules that
# run it). The tiny grid: basic and CutMix, each one proxy run and its control; 3 notebooks.
AFTER_RUNS = {
    "aggregate": 1,
    "saliency_figures": 1,
    "augmentation_costs": 1,
    "metrics": 1,
    "report": 1,
}
AFTER_REPORT = {"thesis": 1, "job_costs": 1, "all": 1}
CODE_CHANGES = {
    # the proxy step: the two proxy runs retrain and are explained again, their controls not
    "proxy/images.py": (
        {"train": 2, "explain": 2, "notebook": 3, **AFTER_RUNS, **AFTER_REPORT},
        {"runs", "report"},
    ),
    # saliency maps: training imports them (the proxy step, SaliencyMix), explain measures them
    "saliency/normalise.py": (
        {"train": 4, "explain": 4, "notebook": 3, **AFTER_RUNS, **AFTER_REPORT},
        {"runs", "report"},
    ),
    # the split's duplicates file is the samples table's input: it is drawn again too
    "data/split.py": (
        {
            "split": 1,
            "samples": 1,
            "train": 4,
            "explain": 4,
            "notebook": 3,
            **AFTER_RUNS,
            **AFTER_REPORT,
        },
        {"data", "runs", "report"},
    ),
    # the thesis' words: nothing retrains, nothing is explained again
    "report/findings.py": ({"report": 1, **AFTER_REPORT}, {"report"}),
}


def code_change_plans(project, module):
    """Append a statement to ``module``, read what `snakemake -n` and `dvc status` plan, and
    put the module back (after which nothing is planned)."""
    path = project / "src" / "proxy_attention" / module
    original = path.read_text()
    path.write_text(original + "\nCODE_CHANGE_PROBE = 1\n")
    try:
        dry = run(["snakemake", "-n"], project).stdout
        stages = re.findall(r"^(\w+):$", run(["dvc", "status"], project).stdout, re.MULTILINE)
    finally:
        path.write_text(original)
    stats = dry[dry.index("Job stats:") : dry.index("Reasons:")]
    jobs = {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", stats, re.MULTILINE)}
    again = run(["snakemake", "-n"], project)
    assert "Nothing to be done" in again.stdout + again.stderr
    return {rule: n for rule, n in jobs.items() if rule != "total"}, set(stages)
