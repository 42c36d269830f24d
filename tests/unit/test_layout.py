"""layout.py: the one list of the pipeline's paths, equal to the names the writers use."""

from pathlib import Path

import pytest
import yaml

from proxy_attention import layout, stamps
from proxy_attention.report import aggregate, explainability, leak, summary_tex
from proxy_attention.train import run as train_run

ROOT = Path(__file__).resolve().parents[2]
RUN_ID = "digits/mobilenetv3_small_100/aug~basic/proxy~gradcampp-t0.6-w0.8-f0.5-s3-p-2/seed~0"


def test_a_runs_files_are_named_as_training_writes_them():
    # The writers import these names from layout; the test keeps a writer from renaming one.
    assert (train_run.METRICS, train_run.CHECKPOINT) == (layout.METRICS, layout.CHECKPOINT)
    assert stamps.RESULT == layout.METRICS


def test_result_and_thesis_files_are_named_as_their_writers_name_them():
    assert (aggregate.RUNS, aggregate.EPOCHS, aggregate.PER_CLASS) == (
        layout.RUNS_CSV,
        layout.EPOCHS_CSV,
        layout.PER_CLASS_CSV,
    )
    assert summary_tex.VARIANTS_CSV == layout.VARIANTS_CSV
    # report/build.py writes the others of REPORT_TEX; these two modules name their own.
    assert layout.REPORT_TEX["explainability"] == explainability.EXPLAINABILITY_TEX
    assert layout.REPORT_TEX["leak"] == leak.LEAK_TEX


def test_run_paths_split_the_run_id_into_the_rules_wildcards():
    dataset, variant = RUN_ID.split("/", 1)
    assert layout.run_file(RUN_ID) == f"data/runs/{RUN_ID}/metrics.json"
    assert layout.run_file(RUN_ID, layout.CHECKPOINT) == layout.RUN_CHECKPOINT.format(
        dataset=dataset, variant=variant
    )
    assert layout.explain_metrics(RUN_ID) == f"data/explain/{RUN_ID}/metrics.json"
    assert layout.marker("train", "digits/m/aug~basic/proxy~x/seed~0") == (
        "data/runs/_bundles/digits/m/aug~basic/proxy~x/seed~0.json"
    )
    assert layout.TRAIN_MARKER.format(dataset="d", bundle="b") == layout.marker("train", "d/b")
    assert layout.EXPLAIN_MARKER.format(dataset="d", bundle="b") == layout.marker("explain", "d/b")
    assert (layout.prepared("digits"), layout.split("digits")) == (
        "data/prepared/digits",
        "data/splits/digits.npz",
    )


def test_the_thesis_inputs_are_every_generated_file_once():
    figures = [f"{layout.RESULT_FIGURES}/val_accuracy.{ext}" for ext in ("pdf", "png")]
    augmentations = [f"augmentation{i}" for i in range(layout.GALLERY_ROWS_PER_PAGE + 1)]
    files = layout.generated_files(["digits", "cifar"], figures, augmentations)
    # The gallery: its LaTeX and two pages (a PDF and a PNG each) for one row past a page;
    # then the augmentations' costs.
    assert len(files) == len(set(files)) == 7 + 2 + 1 + 4 + (1 + 4) + 1 + 2 + 2 + 1
    assert "thesis/generated/gallery/augmentations-2.png" in files
    assert files[7:9] == figures
    assert all(path.startswith("thesis/generated/") for path in files)
    assert "thesis/generated/samples/cifar.png" in files
    assert layout.sample_figures([]) == []


def test_a_figure_is_named_relative_to_the_thesis_folder():
    tex = "thesis/generated/datasets.tex"
    assert layout.included_from("thesis/generated/samples/digits.pdf", tex) == (
        "generated/samples/digits.pdf"
    )
    assert layout.included_from("/tmp/x/generated/a.pdf", "/tmp/x/generated/a.tex") == (
        "generated/a.pdf"
    )


def test_a_steps_output_folder_is_the_one_folder_of_its_files():
    assert layout.folder_of(["data/results/runs.csv", "data/results/epochs.csv"]) == (
        "data/results"
    )
    with pytest.raises(ValueError, match=r"one folder, got \['data/report', 'metrics'\]"):
        layout.folder_of(["metrics/metrics.json", "data/report/results.html"])


def test_dvc_versions_the_folders_the_layout_names():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    outs = {next(iter(o)) for stage in stages.values() for o in stage.get("outs", [])}
    folders = {
        layout.RAW.split("/{")[0],
        layout.PREPARED.split("/{")[0],
        layout.SPLIT.split("/{")[0],
        layout.RUNS_ROOT,
        layout.EXPLAIN_ROOT,
        layout.FIGURES_ROOT,
        layout.RESULTS_ROOT,
        layout.GENERATED_ROOT,
        layout.THESIS_PDF,
    }
    assert outs == folders
    metrics = {next(iter(m)) for m in stages["metrics"]["metrics"] + stages["metrics"]["plots"]}
    assert metrics == {
        f"{layout.METRICS_ROOT}/{name}"
        for name in (layout.DVC_METRICS, layout.LEARNING_CURVES, layout.TEST_ACCURACY)
    }
