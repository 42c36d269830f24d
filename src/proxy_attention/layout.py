"""Where every file of the pipeline lives: the one place that names the folders of data/,
metrics/ and thesis/generated/ and the files in them.

Paths are relative to the project root, the working directory of Snakemake and of every step.
Patterns are plain strings with ``{wildcards}``: the rules (workflow/rules/*.smk) use them as
they are, the package fills them with the functions below (or ``str.format``). A run id is
``<dataset>/<variant>`` (grid.py), so a run's folder pattern has both wildcards, which lets a
rule wire ``data/prepared/{dataset}`` to it with plain patterns (fast on big grids).

This module imports nothing of the package: everything may import it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

# --- data: a dataset's raw files, its prepared form and its split
RAW = "data/raw/{dataset}"
RAW_MANIFEST = f"{RAW}/verified.json"  # written last by download: stands for the folder
PREPARED = "data/prepared/{dataset}"
SPLIT = "data/splits/{dataset}.npz"
# Beside the split, written before it: images repeated across its parts (data/duplicates.py).
SPLIT_DUPLICATES = "data/splits/{dataset}.duplicates.json"

# --- runs: one folder per run id; the explain step's results mirror them
RUNS_ROOT = "data/runs"
EXPLAIN_ROOT = "data/explain"
RUN_DIR = f"{RUNS_ROOT}/{{dataset}}/{{variant}}"
EXPLAIN_DIR = f"{EXPLAIN_ROOT}/{{dataset}}/{{variant}}"
METRICS = "metrics.json"  # written last, atomically with the run: stands for the whole run
CHECKPOINT = "checkpoint.pt"
# Beside it, written right after it: its sha256 and architecture, checked by every reader.
CHECKPOINT_RECORD = "checkpoint.json"
RUN_METRICS = f"{RUN_DIR}/{METRICS}"
RUN_CHECKPOINT = f"{RUN_DIR}/{CHECKPOINT}"
EXPLAIN_METRICS = f"{EXPLAIN_DIR}/{METRICS}"

# --- bundles (bundles.py): a bundle job's marker, inside the tree it stands for, so DVC
# versions it with the runs; dataset names cannot start with "_" (params schema).
MARKERS = {"train": f"{RUNS_ROOT}/_bundles", "explain": f"{EXPLAIN_ROOT}/_bundles"}
TRAIN_MARKER = MARKERS["train"] + "/{dataset}/{bundle}.json"
EXPLAIN_MARKER = MARKERS["explain"] + "/{dataset}/{bundle}.json"

# --- notebook figures: data/figures/<pair>/<notebook>.{ipynb,pdf,png}
FIGURES_ROOT = "data/figures"
NOTEBOOK_STEM = FIGURES_ROOT + "/{pair}/{notebook}"

# --- results: the aggregated tables, DVC's metrics and plots, Snakemake's report tables
RESULTS_ROOT = "data/results"
RUNS_CSV, EPOCHS_CSV, PER_CLASS_CSV = "runs.csv", "epochs.csv", "per_class.csv"
VARIANTS_CSV = "variants.csv"
METRICS_ROOT = "metrics"  # outside every DVC outs folder, as DVC requires of metrics files
DVC_METRICS = "metrics.json"
LEARNING_CURVES, TEST_ACCURACY = "learning_curves.csv", "test_accuracy.csv"
REPORT_ROOT = "data/report"
BENCHMARKS_ROOT = "logs/benchmarks"

# --- the thesis and the inputs the pipeline generates for it (thesis/generated/)
THESIS_DIR = "thesis"
THESIS_TEX = f"{THESIS_DIR}/thesis.tex"
THESIS_PDF = f"{THESIS_DIR}/build/thesis.pdf"
GENERATED_ROOT = f"{THESIS_DIR}/generated"
# The words of the generated files (report/templates.py): a writer edits these, not Python.
TEMPLATES_DIR = f"{THESIS_DIR}/templates"
# The LaTeX files of the report step, by what they hold.
REPORT_TEX = {
    "evaluation": "evaluation.tex",
    "appendix": "appendix.tex",
    "macros": "macros.tex",
    "hyperparameters": "hyperparameters.tex",
    "colophon": "colophon.tex",
    "explainability": "explainability.tex",
    "leak": "leak.tex",
}
DATASETS_TEX = f"{GENERATED_ROOT}/datasets.tex"
DAG_TEX = f"{GENERATED_ROOT}/dag.tex"
RULEGRAPH_DOT = f"{GENERATED_ROOT}/rulegraph.dot"
RULEGRAPH_PDF = f"{GENERATED_ROOT}/rulegraph.pdf"
SALIENCY_TEX = f"{GENERATED_ROOT}/saliency_figures.tex"
ESTIMATE_TEX = f"{GENERATED_ROOT}/estimate.tex"
# Folders: the report step's result figures (which ones depends on the grid: report/views.py
# names them), the notebook figures' copies, one sample figure per dataset.
RESULT_FIGURES_FOLDER = "figures"  # report/*.py include them as generated/figures/<name>.pdf
RESULT_FIGURES = f"{GENERATED_ROOT}/{RESULT_FIGURES_FOLDER}"
SALIENCY_FIGURES = f"{GENERATED_ROOT}/saliency"
SAMPLE_FIGURES = f"{GENERATED_ROOT}/samples"
SAMPLE_FIGURE = SAMPLE_FIGURES + "/{dataset}.{ext}"
# The augmentation gallery (report/gallery.py): pages of the grid's augmentations on one image set.
GALLERY_TEX = f"{GENERATED_ROOT}/gallery.tex"
AUGMENTATION_COSTS_TEX = f"{GENERATED_ROOT}/augmentation_costs.tex"
GALLERY_FIGURES = f"{GENERATED_ROOT}/gallery"
GALLERY_ROWS_PER_PAGE = 7  # augmentations per page, under a row of the original images
FIGURE_FORMATS = ("pdf", "png")  # report/plotting.save_figure writes both

# --- caches: what a step measured or fetched once and reuses (never a result)
CACHE_ROOT = "data/cache"
WEIGHTS_CACHE = f"{CACHE_ROOT}/weights"  # pretrained timm weights (the weights step)
MODELS_CACHE = f"{CACHE_ROOT}/models.json"  # model_checks: layers and pretrained tags
BATCH_SIZE_CACHE = f"{CACHE_ROOT}/batch_size.json"  # batch_size auto
CALIBRATION_CACHE = f"{CACHE_ROOT}/calibration.json"  # estimate's timing per (model, size)
GPU_SLOTS = f"{CACHE_ROOT}/gpu-slots"  # devices.claim_gpu_slot's lock files


def _dataset_variant(run_id: str) -> dict[str, str]:
    dataset, _, variant = run_id.partition("/")
    return {"dataset": dataset, "variant": variant}


def run_dir(run_id: str) -> str:
    return RUN_DIR.format(**_dataset_variant(run_id))


def run_file(run_id: str, name: str = METRICS) -> str:
    """A file of a run's folder: its metrics.json by default."""
    return f"{run_dir(run_id)}/{name}"


def explain_metrics(run_id: str) -> str:
    return EXPLAIN_METRICS.format(**_dataset_variant(run_id))


def marker(step: str, bundle_id: str) -> str:
    """The file a bundle job of ``step`` ("train" or "explain") writes last."""
    return f"{MARKERS[step]}/{bundle_id}.json"


def prepared(dataset: str) -> str:
    return PREPARED.format(dataset=dataset)


def split(dataset: str) -> str:
    return SPLIT.format(dataset=dataset)


def split_duplicates(split_file: str | os.PathLike) -> str:
    """The duplicates file beside ``split_file`` (SPLIT -> SPLIT_DUPLICATES)."""
    suffix = SPLIT_DUPLICATES.removeprefix(SPLIT.removesuffix(".npz"))
    return os.fspath(split_file).removesuffix(".npz") + suffix


def results(name: str) -> str:
    return f"{RESULTS_ROOT}/{name}"


def generated(name: str) -> str:
    return f"{GENERATED_ROOT}/{name}"


def report_tex() -> list[str]:
    return [generated(name) for name in REPORT_TEX.values()]


def sample_figures(datasets: Iterable[str]) -> list[str]:
    return [
        SAMPLE_FIGURE.format(dataset=dataset, ext=ext)
        for dataset in datasets
        for ext in FIGURE_FORMATS
    ]


def gallery_pages(augmentations: Sequence[str]) -> list[list[str]]:
    """The gallery's pages: the grid's augmentations in order, GALLERY_ROWS_PER_PAGE a page."""
    step = GALLERY_ROWS_PER_PAGE
    return [list(augmentations[i : i + step]) for i in range(0, len(augmentations), step)]


def gallery_figures(augmentations: Sequence[str]) -> list[str]:
    """The gallery's figure files, ``augmentations-<page>.<ext>`` from page 1."""
    return [
        f"{GALLERY_FIGURES}/augmentations-{page}.{ext}"
        for page in range(1, len(gallery_pages(augmentations)) + 1)
        for ext in FIGURE_FORMATS
    ]


def generated_files(
    datasets: Sequence[str], result_figures: Sequence[str], augmentations: Sequence[str] = ()
) -> list[str]:
    """Everything under thesis/generated the thesis reads: the LaTeX files and the figure
    files and folders they include: ``result_figures``, the report step's figure files
    (report/views.py), the gallery of the grid's ``augmentations``, and the notebook figures'
    folder, which stands for its contents."""
    return [
        *report_tex(),
        *result_figures,
        DATASETS_TEX,
        *sample_figures(datasets),
        GALLERY_TEX,
        *gallery_figures(augmentations),
        AUGMENTATION_COSTS_TEX,
        DAG_TEX,
        RULEGRAPH_PDF,
        SALIENCY_TEX,
        SALIENCY_FIGURES,
        ESTIMATE_TEX,
    ]


def result_figure(name: str) -> str:
    """How a generated LaTeX file names one of the report step's result figures."""
    return f"generated/{RESULT_FIGURES_FOLDER}/{name}"


def included_from(path: str | os.PathLike, tex: str | os.PathLike) -> str:
    """How the thesis names ``path`` in ``tex``, a file of its generated/ folder: relative to
    the thesis folder (``tex``'s grandparent), where latexmk runs."""
    thesis = os.path.dirname(os.path.dirname(os.fspath(tex)))
    return os.path.relpath(path, thesis).replace(os.sep, "/")


def folder_of(paths: Iterable[str]) -> str:
    """The one folder that holds every path: a step's output folder, derived from a rule's
    declared outputs (Snakemake gives the files; the step writes into their folder)."""
    folders = {os.path.dirname(str(path)) for path in paths}
    if len(folders) != 1:
        raise ValueError(f"expected files of one folder, got {sorted(folders)}")
    return folders.pop()
