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


def run_spec(wildcards):
    """A run's parameters as rule params, so Snakemake reruns it when any of them change."""
    spec = RUNS[f"{wildcards.dataset}/{wildcards.variant}"]
    return json.dumps(
        {"spec": spec.as_dict(), "train": PARAMS["train"], "proxy": PARAMS["proxy"]},
        sort_keys=True,
    )


def dataset_params(wildcards):
    return json.dumps(
        {"dataset": PARAMS["datasets"][wildcards.dataset], "split": PARAMS["split"]}, sort_keys=True
    )
