"""Steps about runs: train, train-bundle, explain, explain-bundle, and predict with a run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from proxy_attention.cli.commands import (
    BUNDLE,
    PARAMS,
    PREPARED,
    RUN,
    SPLIT,
    THREADS,
    arg,
    command,
    path,
)
from proxy_attention.errors import UserError


def find_run(params: dict[str, Any], run_id: str):
    from proxy_attention.grid import find_run as lookup

    try:
        return lookup(params, run_id)
    except KeyError as exc:
        raise UserError(str(exc)) from None


def bundle_runs(params: dict[str, Any], bundle_id: str) -> list[str]:
    from proxy_attention.bundles import bundles

    grouped = bundles(params)
    if bundle_id not in grouped:
        raise UserError(f"bundle {bundle_id!r} is not in the grid of this params file")
    return grouped[bundle_id]


def print_bundle(bundle_id: str, done: list[dict]) -> None:
    made = sum(entry["status"] == "made" for entry in done)
    print(f"{bundle_id}: {made} made, {len(done) - made} already current")


def run_folder(args: argparse.Namespace) -> Path:
    """The folder train writes: ``--out``, or the folder of the ``--metrics`` (and
    ``--checkpoint``) files a rule declares, which must have the names training writes."""
    from proxy_attention.layout import CHECKPOINT, METRICS

    if (args.out is None) == (args.metrics is None):
        raise UserError("train: give either --out (the run's folder) or --metrics")
    if args.out is not None:
        return args.out
    folder = args.metrics.parent
    expected = {"--metrics": (args.metrics, METRICS), "--checkpoint": (args.checkpoint, CHECKPOINT)}
    for flag, (given, name) in expected.items():
        if given is not None and given != folder / name:
            raise UserError(f"train: {flag} must be {folder / name} (training writes {name})")
    return folder


@command(
    "train",
    "train one run of the grid",
    PARAMS,
    RUN,
    PREPARED,
    SPLIT,
    path("--out", "the run's folder, data/runs/<run-id>", required=False),
    path("--metrics", "or: the run's metrics.json (its other files go beside it)", required=False),
    path("--checkpoint", "with --metrics: the checkpoint.pt beside it", required=False),
    THREADS,
)
def train(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params

    out = run_folder(args)
    params = load_params(args.params)
    # train_run stamps its result like a bundle's runs (switching grid.train_together on
    # retrains nothing), inside its work directory: only the run that made it stamps it.
    train_one(params, args.run, args, out)


def train_one(params: dict[str, Any], run_id: str, args: argparse.Namespace, out: Path) -> None:
    """Train one run, given only the slice of params training declares (slices.train_slice)."""
    from proxy_attention.slices import train_slice
    from proxy_attention.train.run import train_run

    spec = find_run(params, run_id)
    dataset = params["datasets"][spec.dataset]
    metrics = train_run(
        spec, train_slice(params), args.prepared, args.split, out, args.threads, dataset=dataset
    )
    print(f"{run_id}: test accuracy {metrics['test']['accuracy']:.4f}", flush=True)


@command("train-bundle", "train a bundle's runs that are not current", PARAMS, BUNDLE)
def train_bundle(args: argparse.Namespace) -> None:
    from proxy_attention import layout
    from proxy_attention.bundles import run_bundle
    from proxy_attention.params import load_params
    from proxy_attention.slices import train_settings

    params = load_params(args.params)
    done = run_bundle(
        bundle_runs(params, args.bundle),
        train_settings(params),
        "train",
        result_of=lambda run_id: Path(layout.run_file(run_id, layout.METRICS)),
        inputs_of=lambda run_id: [args.prepared, args.split],
        make=lambda run_id: train_one(params, run_id, args, Path(layout.run_dir(run_id))),
        marker_path=args.marker,
    )
    print_bundle(args.bundle, done)


@command(
    "explain",
    "faithfulness metrics of one run's saliency maps",
    PARAMS,
    RUN,
    path("--checkpoint", "the run's checkpoint.pt"),
    PREPARED,
    SPLIT,
    path("--out", "metrics.json; arrays go beside it"),
    THREADS,
)
def explain(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params
    from proxy_attention.slices import explain_settings
    from proxy_attention.stamps import stamp

    params = load_params(args.params)
    spec = find_run(params, args.run)
    measure(params, spec, args.checkpoint, args.prepared, args.split, args.out, args.threads)
    stamp(args.out, explain_settings(params), spec.run_id, "explain")


@command("explain-bundle", "explain a bundle's runs that are not current", PARAMS, BUNDLE)
def explain_bundle(args: argparse.Namespace) -> None:
    from proxy_attention import layout
    from proxy_attention.bundles import run_bundle
    from proxy_attention.params import load_params
    from proxy_attention.slices import explain_settings

    params = load_params(args.params)

    def checkpoint(run_id: str) -> Path:
        return Path(layout.run_file(run_id, layout.CHECKPOINT))

    def explain_one(run_id: str) -> None:
        out = Path(layout.explain_metrics(run_id))
        spec = find_run(params, run_id)
        measure(params, spec, checkpoint(run_id), args.prepared, args.split, out, args.threads)

    done = run_bundle(
        bundle_runs(params, args.bundle),
        explain_settings(params),
        "explain",
        result_of=lambda run_id: Path(layout.explain_metrics(run_id)),
        inputs_of=lambda run_id: [checkpoint(run_id), args.prepared, args.split],
        make=explain_one,
        marker_path=args.marker,
    )
    print_bundle(args.bundle, done)


def measure(params, spec, checkpoint, prepared, split, out, threads) -> None:
    """The explain step of one run, given only the slice of params it declares
    (slices.explain_slice), on the device params.train.device selects."""
    import torch

    from proxy_attention.explain.measure import measure_run
    from proxy_attention.slices import explain_slice
    from proxy_attention.train.loop import select_device

    if threads:
        torch.set_num_threads(threads)
    device = select_device(params["train"]["device"])
    dataset = params["datasets"][spec.dataset]
    result = measure_run(
        spec, explain_slice(params), checkpoint, prepared, split, out, device, dataset
    )
    print(f"{spec.run_id}: {result['method']} deletion AUC {result['mean']['deletion_auc']:.3f}")


@command(
    "predict",
    "classify a folder of images with a trained run",
    path("--run-dir", "data/runs/<run-id>"),
    path("--images", "folder of image files"),
    path("--out", "CSV: file,label,probability"),
    arg("--saliency-method", default="gradcam", help="method of the overlays"),
    path("--overlays", "folder for overlay PNGs", required=False),
    arg("--device", default="auto", choices=["auto", "cpu", "cuda"]),
)
def predict(args: argparse.Namespace) -> None:
    from proxy_attention.inference import predict_folder

    table = predict_folder(
        args.run_dir, args.images, args.out, args.saliency_method, args.overlays, device=args.device
    )
    print(f"{args.out}: {len(table)} images")
