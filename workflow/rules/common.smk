# Load and validate params.yaml before any job runs; expose the grid to the other rules.
import glob
import json
import os
import shlex
import sys

from snakemake.exceptions import WorkflowError

from proxy_attention import layout
from proxy_attention.bundles import bundles
from proxy_attention.slices import explain_settings, train_settings
from proxy_attention.code_digest import run_digest, step_digest
from proxy_attention.concurrent_runs import check_no_other_build
from proxy_attention.devices import gpus_per_job, nvidia_smi_gpus, train_job_threads
from proxy_attention.errors import UserError
from proxy_attention.grid import runs_by_id
from proxy_attention.params import load_params
from proxy_attention.report.views import figure_files, grid_runs, report_views
from proxy_attention.workflow_config import params_file_for

# `snakemake --configfile workflow/configs/thesis.yaml` (or `--config params=FILE`) switches to
# another configuration; any other --config key, or an invalid file, stops here in one line.
try:
    PARAMS_FILE = params_file_for(
        workflow.config_settings.config, workflow.overwrite_configfiles
    )
    PARAMS = load_params(PARAMS_FILE)
    if workflow.is_main_process:  # not in a job's own Snakemake (cluster jobs run one)
        check_no_other_build(sys.argv, os.getcwd())
except UserError as error:
    sys.exit(f"error: {error}")

RUNS = runs_by_id(PARAMS)
GRID_DATASETS = PARAMS["grid"]["datasets"]
# The interpreter running Snakemake runs the steps too, so no virtual environment needs
# activating: `.venv/bin/snakemake --cores N` just works. These globals hold several words, so
# they are quoted here; every other value in a rule's shell is quoted with :q
# (tests/unit/test_shell_quoting.py checks both).
CLI = shlex.join([sys.executable, "-m", "proxy_attention"])
SNAKEMAKE = shlex.join([sys.executable, "-m", "snakemake"])
THESIS_PDF = layout.THESIS_PDF
# The report step's figures for this grid: the step draws exactly these (report/views.py).
RESULT_FIGURE_FILES = figure_files(report_views(grid_runs(PARAMS)).figures)
# Every file (or figure folder) under thesis/generated that the thesis reads (layout.py).
GENERATED = layout.generated_files(
    GRID_DATASETS, RESULT_FIGURE_FILES, PARAMS["grid"]["augmentations"]
)

wildcard_constraints:
    dataset="[A-Za-z0-9_.-]+",
    variant="[^/]+/aug~[^/]+/proxy~[^/]+/(fold~[0-9]+/)?seed~[0-9]+",
    bundle="[^/]+/aug~[^/]+/proxy~[^/]+/(fold~([0-9]+|x)/)?seed~([0-9]+|x)",


# Rule params are compared with the last run's, so changing them reruns the jobs. Everything
# run-specific is already in the run id (the output path); what all runs share is one constant
# string, not a function: on the thesis grid per-job functions dominate `snakemake -n`.
TRAIN_SETTINGS = train_settings(PARAMS)
EXPLAIN_SETTINGS = explain_settings(PARAMS)
# Each rule's params hold a digest of the package code its step runs (code_digest.py): a change
# to that code reruns the step and what follows it, and nothing else. Controls never run the
# proxy step, so a change there leaves them be.
CODE = {
    command: step_digest(command)
    for command in (
        "download", "prepare", "split", "weights", "explain", "aggregate", "report",
        "metrics", "samples", "gallery", "augmentation-costs", "saliency-figures", "dag",
        "estimate", "thesis", "job-costs",
    )
}  # fmt: skip


def train_code(wildcards):
    """The code a training job runs (run_digest, cached): a bundle's runs are all controls or
    all proxy runs."""
    return run_digest("train", wildcards.get("variant") or wildcards.get("bundle"))


# gpu=1 for training, explain and notebook jobs where they will use CUDA (devices.py).
try:
    GPUS_PER_JOB = gpus_per_job(PARAMS["train"]["device"])
except UserError as error:
    sys.exit(f"error: {error}")
# Locally, without --resources gpu=N, Snakemake would start every GPU job at once: cap them at
# the GPUs nvidia-smi lists (each job then claims its own, devices.claim_gpu_slot).
if GPUS_PER_JOB and "gpu" not in workflow.global_resources and workflow.nodes is None:
    workflow.global_resources["gpu"] = max(len(nvidia_smi_gpus()), 1)
# A training job on CUDA takes its GPU's share of the node's cores, for the loader workers of
# the per-sample policies; on the CPU it takes one (train.smk says why). --set-threads wins.
TRAIN_THREADS = 1
if GPUS_PER_JOB:
    try:
        node_cores = workflow.cores
    except WorkflowError:  # --cores not given (a cluster executor, --dag): all of this node's
        node_cores = None
    TRAIN_THREADS = train_job_threads(node_cores, GPUS_PER_JOB, len(nvidia_smi_gpus()))


def _files(items, name):
    files = items if name is None else getattr(items, name)
    return [files] if isinstance(files, str) else list(files)


def folder_of(name=None):
    """A rule param: the folder of the rule's output ``name`` (every output if None), the
    one folder the step writes those files into."""
    return lambda wildcards, output: layout.folder_of(_files(output, name))


def input_folder(name):
    """A rule param: the folder of the rule's input ``name``."""
    return lambda wildcards, input: layout.folder_of(_files(input, name))


# split.folds 1 and keep_duplicates false (the defaults) are left out, so a build without them
# keeps the split params (and so the split job) it had before the keys existed.
SPLIT_DEFAULTS = {("folds", 1), ("keep_duplicates", False)}
SPLIT_PARAMS = {k: v for k, v in PARAMS["split"].items() if (k, v) not in SPLIT_DEFAULTS}


def dataset_params(wildcards):
    """The download and prepare steps' settings: the dataset's entry, not the split, which
    they do not read (a new split.seed reruns split and what follows, not them)."""
    return json.dumps({"dataset": PARAMS["datasets"][wildcards.dataset]}, sort_keys=True)


def split_params(wildcards):
    return json.dumps(
        {"dataset": PARAMS["datasets"][wildcards.dataset], "split": SPLIT_PARAMS}, sort_keys=True
    )


# grid.train_together (bundles.py): [] gives one job per run, tracked file by file; otherwise
# runs that differ only in the named lists share one job, tracked by its marker file.
BUNDLED = bool(PARAMS["grid"]["train_together"])
BUNDLES = bundles(PARAMS) if BUNDLED else {}
BUNDLE_OF = {run_id: bundle for bundle, run_ids in BUNDLES.items() for run_id in run_ids}


def trained(run_id):
    """The file Snakemake tracks for a finished training run."""
    if BUNDLED:
        return layout.marker("train", BUNDLE_OF[run_id])
    return layout.run_file(run_id, layout.METRICS)


def explained(run_id):
    """The file Snakemake tracks for a run's finished explain step."""
    if BUNDLED:
        return layout.marker("explain", BUNDLE_OF[run_id])
    return layout.explain_metrics(run_id)


def bundle_runs(wildcards):
    """A bundle's run ids as a rule param: a new run in the bundle reruns its job, which then
    makes just the runs that are not current."""
    return " ".join(BUNDLES[f"{wildcards.dataset}/{wildcards.bundle}"])


# What the `runs` target and aggregate wait for: every run, each tracked file listed once
# (the runs of one bundle share its marker).
TRAINED = list(dict.fromkeys(trained(run_id) for run_id in RUNS))
EXPLAINED = list(dict.fromkeys(explained(run_id) for run_id in RUNS))
