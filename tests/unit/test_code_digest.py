"""code_digest: which package modules each step runs, and a digest that ignores comments."""

from pathlib import Path

import yaml

from proxy_attention.code_digest import (
    DVC_STAGE_STEPS,
    closure,
    digest,
    is_control,
    normalised_source,
    notebook_roots,
    run_digest,
    stage_code_files,
    step_digest,
    step_modules,
)

ROOT = Path(__file__).resolve().parents[2]
P = "proxy_attention."


def short(modules) -> set[str]:
    return {m.removeprefix(P) for m in modules}


def test_the_report_runs_report_code_and_no_training_proxy_or_saliency_code():
    report = short(step_modules("report"))
    assert {"report.build", "report.views", "report.summary_tex", "cli.report_steps"} <= report
    assert not {m.split(".")[0] for m in report} & {"train", "proxy", "saliency", "explain"}
    # another handler's imports in the same CLI module are not this step's code
    assert "report.samples" not in report and "cli.run_steps" not in report
    # aggregate's local variable `metrics` is not the metrics handler of its module
    assert "report.dvc_metrics" not in short(step_modules("aggregate"))
    assert "report.dvc_metrics" in short(step_modules("metrics"))


def test_training_reaches_the_proxy_step_through_lazy_and_relative_imports():
    train = short(step_modules("train"))
    assert {"train.run", "proxy.step", "proxy.images", "saliency.cam", "augment.mixing"} <= train
    # saliency/__init__ imports .registry, which imports . cam (relative imports)
    assert "saliency.registry" in short(closure([P + "saliency"]))
    # the params checks only refuse a params file: no step's code
    assert not {"params_checks", "model_checks"} & train


def test_a_control_leaves_out_what_only_the_proxy_step_runs():
    proxy, control = set(step_modules("train")), set(step_modules("train", control=True))
    assert short(proxy - control) == {"proxy.step", "proxy.images", "proxy.selection"}
    assert P + "proxy.overlay" in control  # resume rebuilds the overlay of every run
    control_id = "digits/m/aug~basic/proxy~off-e6/seed~0"
    proxy_id = "digits/m/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s3-p-2/seed~0"
    assert is_control(control_id) and not is_control(proxy_id)
    assert run_digest("train", control_id) == step_digest("train", control=True)
    assert run_digest("train", proxy_id) == step_digest("train") != run_digest("train", control_id)
    assert run_digest("explain", control_id) == run_digest("explain", proxy_id)


def test_comments_docstrings_and_formatting_do_not_change_the_digest_statements_do():
    plain = "def f(x):\n    return x + 1\n"
    assert normalised_source(plain) == normalised_source(
        '"""A module."""\n\n\ndef f( x ):  # why\n    """Add one."""\n    return (x+1)\n'
    )
    assert normalised_source(plain) != normalised_source("def f(x):\n    return x + 2\n")
    assert normalised_source('def f():\n    """Only a docstring."""\n') == "def f():\n    pass"


def test_the_digest_names_the_modules_and_their_code():
    assert digest([P + "layout", P + "grid"]) == digest([P + "grid", P + "layout"])
    assert digest([P + "layout"]) != digest([P + "layout", P + "grid"])
    assert len(step_digest("report")) == 16


def test_the_notebooks_run_the_map_figures_and_proxy_images():
    modules = short(closure(notebook_roots(ROOT / "notebooks" / "proxy_steps.ipynb")))
    assert {"report.map_figures", "proxy.images"} <= modules


def test_dvc_stages_depend_on_exactly_the_code_their_steps_run():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    assert set(DVC_STAGE_STEPS) == set(stages)
    for stage, body in stages.items():
        listed = sorted(d for d in body["deps"] if d.startswith("src/") and "schemas" not in d)
        expected = stage_code_files(stage, ROOT)
        assert listed == expected, (
            f"dvc.yaml stage {stage!r} lists other code than its steps run: run "
            "workflow/scripts/dvc_code_deps.py"
        )
    # a folder stands for all of its files only where every one of them is run
    assert "src/proxy_attention/saliency" in stage_code_files("runs", ROOT)
    assert "src/proxy_attention/report" not in stage_code_files("report", ROOT)
