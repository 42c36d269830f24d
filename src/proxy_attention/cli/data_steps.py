"""Steps about the params file and the data: validate, runs, describe-params, download,
prepare, split, estimate, weights."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from proxy_attention.cli.commands import DATASET, OUT, PARAMS, PREPARED, arg, command, path
from proxy_attention.errors import UserError


def dataset_entry(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The validated params and the entry of ``--dataset`` in them."""
    from proxy_attention.params import load_params

    params = load_params(args.params)
    if args.dataset not in params["datasets"]:
        raise UserError(f"dataset {args.dataset!r} is not defined under datasets in {args.params}")
    return params, params["datasets"][args.dataset]


@command("validate", "validate params.yaml against its schema", PARAMS)
def validate(args: argparse.Namespace) -> None:
    from proxy_attention.bundles import bundles
    from proxy_attention.grid import expand_grid
    from proxy_attention.params import load_params

    params = load_params(args.params)
    runs = expand_grid(params)
    jobs = f" in {len(bundles(params))} bundles" if params["grid"]["train_together"] else ""
    print(f"{args.params}: valid; {len(runs)} runs{jobs}")


@command("runs", "list the run ids of the grid", PARAMS)
def list_runs(args: argparse.Namespace) -> None:
    from proxy_attention.grid import expand_grid
    from proxy_attention.params import load_params

    for spec in expand_grid(load_params(args.params)):
        print(spec.run_id)


@command("describe-params", "every params key: its meaning, allowed values and default")
def describe_params(args: argparse.Namespace) -> None:
    from proxy_attention.params_doc import describe_params_text

    print(describe_params_text(), end="")


@command(
    "download",
    "fetch and verify a dataset's raw files",
    PARAMS,
    DATASET,
    path("--out", "the raw folder; default: the manifest's folder", required=False),
    path("--manifest", "written last: the files", required=False),
)
def download(args: argparse.Namespace) -> None:
    from proxy_attention.data.sources import download_source

    if args.out is None and args.manifest is None:
        raise UserError("download: give --out (the raw folder), --manifest, or both")
    _, entry = dataset_entry(args)
    download_source(entry, args.out or args.manifest.parent, args.manifest)


@command(
    "prepare",
    "decode, convert and resize into the prepared format",
    PARAMS,
    DATASET,
    path("--raw", "data/raw/<dataset>"),
    OUT,
)
def prepare(args: argparse.Namespace) -> None:
    from proxy_attention.data.sources import prepare_source

    _, entry = dataset_entry(args)
    prepare_source(entry, args.raw, args.out)


@command("split", "stratified train/val/test indices, made once", PARAMS, DATASET, PREPARED, OUT)
def split_dataset(args: argparse.Namespace) -> None:
    from proxy_attention import layout
    from proxy_attention.atomic import remove_leftovers, write_json
    from proxy_attention.data.duplicates import check_test_leak, split_duplicates
    from proxy_attention.data.prepared import open_prepared
    from proxy_attention.data.split import make_folds, make_split, save_split

    params, _ = dataset_entry(args)
    data = open_prepared(args.prepared)
    cfg = params["split"]
    indices = make_split(
        data.labels,
        cfg["val_fraction"],
        cfg["test_fraction"],
        cfg["seed"],
        data.official_split,
        data.classes,
    )
    if cfg["folds"] > 1:
        indices = make_folds(indices, data.labels, cfg["folds"], cfg["seed"])
    duplicates = split_duplicates(data.images, indices)
    check_test_leak(args.dataset, duplicates["test_leaked"], cfg["keep_duplicates"])
    save_split(args.out, indices)
    remove_leftovers(layout.split_duplicates(args.out))  # a killed attempt's temporary file
    write_json(layout.split_duplicates(args.out), duplicates)
    print(f"{args.dataset}: {indices.sizes()}; duplicates across the parts: {duplicates}")


@command(
    "estimate",
    "runs, disk and device-hours of a grid",
    PARAMS,
    path("--tex", "also write this LaTeX table", required=False),
    arg(
        "--also",
        type=Path,
        nargs="*",
        default=[],
        help="more params files whose cost to print, e.g. workflow/configs/comparison.yaml",
    ),
    arg(
        "--budget-gpu-hours",
        type=float,
        default=None,
        help="also show which grid lists dominate the cost and what fewer values cost",
    ),
    arg(
        "--gpu",
        default=None,
        help="hours of the budget plan: a reference GPU (rtx3090) or 'device' (the measured one);"
        " default: the measured device if it is a GPU, else rtx3090",
    ),
)
def estimate_grid(args: argparse.Namespace) -> None:
    from proxy_attention.atomic import atomic_path
    from proxy_attention.budget import budget_plan
    from proxy_attention.estimate import estimate, estimate_tex, format_estimate
    from proxy_attention.params import load_params

    params = load_params(args.params)
    result = estimate(params)
    print(f"{args.params}:\n{format_estimate(result)}")
    if args.budget_gpu_hours is not None:
        print(f"\n{budget_plan(params, result, args.budget_gpu_hours, args.gpu)}")
    if args.tex:
        with atomic_path(args.tex) as tmp:
            Path(tmp).write_text(estimate_tex(result, args.params))
    for other in args.also:
        print(f"\n{other}:\n{format_estimate(estimate(load_params(other)))}")


@command(
    "weights",
    "cache the grid's pretrained weights",
    PARAMS,
    arg("--out", type=Path, required=True, help="marker written when all are cached"),
)
def cache_weights(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params
    from proxy_attention.weights import fetch_weights, grid_models

    record = fetch_weights(grid_models(load_params(args.params)), args.out)
    print(f"{args.out}: {len(record['models'])} pretrained models cached")
