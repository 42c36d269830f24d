# Load and validate params.yaml before any job runs; expose the grid to the other rules.
import glob
import json
import os
import sys

from proxy_attention.grid import runs_by_id
from proxy_attention.params import ParamsError, load_params

# `snakemake --config params=workflow/configs/thesis.yaml` switches to another configuration.
PARAMS_FILE = config.get("params", "params.yaml")
try:
    PARAMS = load_params(PARAMS_FILE)
except ParamsError as error:
    sys.exit(f"error: {error}")

RUNS = runs_by_id(PARAMS)
GRID_DATASETS = PARAMS["grid"]["datasets"]
# The interpreter running Snakemake runs the steps too, so no virtual environment needs
# activating: `.venv/bin/snakemake --cores N` just works.
CLI = f"{sys.executable} -m proxy_attention"
SNAKEMAKE = f"{sys.executable} -m snakemake"
THESIS_PDF = "thesis/build/thesis.pdf"
GENERATED = [
    "thesis/generated/evaluation.tex",
    "thesis/generated/appendix.tex",
    "thesis/generated/macros.tex",
    "thesis/generated/hyperparameters.tex",
    "thesis/generated/colophon.tex",
    "thesis/generated/datasets.tex",
    "thesis/generated/dag.tex",
    "thesis/generated/explainability.tex",
    "thesis/generated/saliency_figures.tex",
]

wildcard_constraints:
    dataset="[A-Za-z0-9_.-]+",
    run="[^/]+/[^/]+/aug~[^/]+/proxy~[^/]+/seed~[0-9]+",
    variant="[^/]+/aug~[^/]+/proxy~[^/]+/seed~[0-9]+",


# Rule params are compared with the last run's, so changing them reruns the jobs. Everything
# run-specific is already in the run id (the output path); what all runs share is one constant
# string, not a function: on the thesis grid per-job functions dominate `snakemake -n`.
TRAIN_SETTINGS = json.dumps({"train": PARAMS["train"], "proxy": PARAMS["proxy"]}, sort_keys=True)
GPUS_PER_JOB = 1 if PARAMS["train"]["device"] == "cuda" else 0


def dataset_params(wildcards):
    return json.dumps(
        {"dataset": PARAMS["datasets"][wildcards.dataset], "split": PARAMS["split"]}, sort_keys=True
    )
