"""`proxy-attention <step>`: one subcommand per pipeline step, each a thin wrapper."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from proxy_attention.errors import UserError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as exc:
        from proxy_attention.disk import describe

        line = describe(exc)
        if line is None:
            raise
        print(f"error: {line}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="proxy-attention", description=__doc__)
    steps = parser.add_subparsers(required=True, metavar="STEP")

    def step(name: str, handler, help_: str) -> argparse.ArgumentParser:
        sub = steps.add_parser(name, help=help_, description=help_)
        sub.set_defaults(handler=handler)
        return sub

    def with_params(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--params", type=Path, default=Path("params.yaml"))
        return sub

    def with_bundle(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--bundle", required=True, help="bundle id (bundles.py)")
        sub.add_argument("--prepared", type=Path, required=True)
        sub.add_argument("--split", type=Path, required=True)
        sub.add_argument("--marker", type=Path, required=True, help="written when all are done")
        sub.add_argument("--threads", type=int, default=None)

    with_params(step("validate", _validate, "validate params.yaml against its schema"))
    with_params(step("runs", _runs, "list the run ids of the grid"))
    sub = with_params(step("download", _download, "fetch and verify a dataset's raw files"))
    sub.add_argument("--dataset", required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub.add_argument("--manifest", type=Path, default=None, help="written last: the files")
    sub = with_params(
        step("prepare", _prepare, "decode, convert and resize into the prepared format")
    )
    sub.add_argument("--dataset", required=True)
    sub.add_argument("--raw", type=Path, required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub = with_params(step("split", _split, "stratified train/val/test indices, made once"))
    sub.add_argument("--dataset", required=True)
    sub.add_argument("--prepared", type=Path, required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub = with_params(step("estimate", _estimate, "runs, disk and device-hours of a grid"))
    sub.add_argument("--tex", type=Path, default=None, help="also write this LaTeX table")
    sub = with_params(step("weights", _weights, "cache the grid's pretrained weights"))
    sub.add_argument("--out", type=Path, required=True, help="marker written when all are cached")
    sub = with_params(step("train", _train, "train one run of the grid"))
    sub.add_argument("--run", required=True, help="run id, as listed by `proxy-attention runs`")
    sub.add_argument("--prepared", type=Path, required=True)
    sub.add_argument("--split", type=Path, required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub.add_argument("--threads", type=int, default=None)
    with_bundle(
        with_params(
            step("train-bundle", _train_bundle, "train a bundle's runs that are not current")
        )
    )
    # Paths come from the grid, not the command line: the thesis grid's 21,690 runs would
    # overflow the kernel's limit on one argument (128 KiB).
    sub = with_params(step("aggregate", _aggregate, "one tidy table of all runs of the grid"))
    sub.add_argument("--runs", type=Path, required=True, help="data/runs")
    sub.add_argument("--explain", type=Path, default=None, help="data/explain, if explained")
    sub.add_argument("--out", type=Path, required=True, help="results directory")
    sub = with_params(step("report", _report, "LaTeX tables, figures and macros for the thesis"))
    sub.add_argument("--results", type=Path, required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub.add_argument(
        "--thesis-grid", type=Path, default=None, help="config whose grid size the thesis quotes"
    )
    sub = step("samples", _samples, "a sample-batch figure per prepared dataset")
    sub.add_argument("--out", type=Path, required=True)
    sub.add_argument("prepared", type=Path, nargs="+")
    sub = step("dag", _dag, "the pipeline's rule graph as a figure")
    sub.add_argument("--dot", type=Path, required=True, help="rule graph in Graphviz dot")
    sub.add_argument("--out", type=Path, required=True)
    sub = with_params(step("explain", _explain, "faithfulness metrics of one run's saliency maps"))
    sub.add_argument("--run", required=True, help="run id, as listed by `proxy-attention runs`")
    sub.add_argument("--checkpoint", type=Path, required=True)
    sub.add_argument("--prepared", type=Path, required=True)
    sub.add_argument("--split", type=Path, required=True)
    sub.add_argument("--out", type=Path, required=True, help="metrics.json; arrays go beside it")
    sub.add_argument("--threads", type=int, default=None)
    with_bundle(
        with_params(
            step("explain-bundle", _explain_bundle, "explain a bundle's runs that are not current")
        )
    )
    sub = with_params(
        step(
            "saliency-figures",
            _saliency_figures,
            "the LaTeX that includes every pair's notebook figures",
        )
    )
    sub.add_argument("--figures", type=Path, required=True, help="data/figures")
    sub.add_argument("--out", type=Path, required=True, help="thesis/generated")
    sub = step("thesis", _thesis, "build the thesis PDF with latexmk")
    sub.add_argument("--tex", type=Path, required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub = with_params(step("metrics", _metrics, "DVC metrics and plots files of the build"))
    sub.add_argument("--results", type=Path, required=True, help="data/results")
    sub.add_argument("--out", type=Path, required=True, help="metrics/ (outside DVC outs)")
    sub.add_argument("--html", type=Path, required=True, help="the tables for Snakemake's report")
    sub = step("job-costs", _job_costs, "time and memory per rule from Snakemake's benchmarks")
    sub.add_argument("--benchmarks", type=Path, required=True, help="logs/benchmarks")
    sub.add_argument("--csv", type=Path, required=True)
    sub.add_argument("--html", type=Path, required=True)
    sub = step("predict", _predict, "classify a folder of images with a trained run")
    sub.add_argument("--run-dir", type=Path, required=True, help="data/runs/<run-id>")
    sub.add_argument("--images", type=Path, required=True, help="folder of image files")
    sub.add_argument("--out", type=Path, required=True, help="CSV: file,label,probability")
    sub.add_argument("--saliency-method", default="gradcam", help="method of the overlays")
    sub.add_argument("--overlays", type=Path, default=None, help="folder for overlay PNGs")
    sub.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    return parser


def _validate(args: argparse.Namespace) -> None:
    from proxy_attention.bundles import bundles
    from proxy_attention.grid import expand_grid
    from proxy_attention.params import load_params

    params = load_params(args.params)
    runs = expand_grid(params)
    jobs = f" in {len(bundles(params))} bundles" if params["grid"]["train_together"] else ""
    print(f"{args.params}: valid; {len(runs)} runs{jobs}")


def _runs(args: argparse.Namespace) -> None:
    from proxy_attention.grid import expand_grid
    from proxy_attention.params import load_params

    for spec in expand_grid(load_params(args.params)):
        print(spec.run_id)


def _dataset_cfg(args: argparse.Namespace) -> dict:
    from proxy_attention.params import load_params

    params = load_params(args.params)
    if args.dataset not in params["datasets"]:
        raise UserError(f"dataset {args.dataset!r} is not defined under datasets in {args.params}")
    return params, params["datasets"][args.dataset]


def _download(args: argparse.Namespace) -> None:
    from proxy_attention.data.sources import download_source

    _, cfg = _dataset_cfg(args)
    download_source(cfg, args.out, args.manifest)


def _prepare(args: argparse.Namespace) -> None:
    from proxy_attention.data.sources import prepare_source

    _, cfg = _dataset_cfg(args)
    prepare_source(cfg, args.raw, args.out)


def _split(args: argparse.Namespace) -> None:
    from proxy_attention.data.prepared import open_prepared
    from proxy_attention.data.split import make_split, save_split

    params, _ = _dataset_cfg(args)
    data = open_prepared(args.prepared)
    cfg = params["split"]
    split = make_split(
        data.labels,
        cfg["val_fraction"],
        cfg["test_fraction"],
        cfg["seed"],
        data.official_split,
        data.classes,
    )
    save_split(args.out, split)
    print(f"{args.dataset}: {split.sizes()}")


def _estimate(args: argparse.Namespace) -> None:
    from proxy_attention.estimate import estimate, estimate_tex, format_estimate
    from proxy_attention.params import load_params

    result = estimate(load_params(args.params))
    print(f"{args.params}:\n{format_estimate(result)}")
    if args.tex:
        from proxy_attention.atomic import atomic_path

        with atomic_path(args.tex) as tmp:
            Path(tmp).write_text(estimate_tex(result, args.params))


def _weights(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params
    from proxy_attention.weights import fetch_weights, grid_models

    record = fetch_weights(grid_models(load_params(args.params)), args.out)
    print(f"{args.out}: {len(record['models'])} pretrained models cached")


def _train(args: argparse.Namespace) -> None:
    from proxy_attention.bundles import train_slice
    from proxy_attention.params import load_params
    from proxy_attention.train.run import train_run

    params = load_params(args.params)
    spec = _find_run(params, args.run)
    # train_run stamps its result like a bundle's runs (switching grid.train_together on
    # retrains nothing), inside its work directory: only the run that made it stamps it.
    metrics = train_run(
        spec,
        train_slice(params),
        args.prepared,
        args.split,
        args.out,
        args.threads,
        dataset=params["datasets"][spec.dataset],
    )
    print(f"{spec.run_id}: test accuracy {metrics['test']['accuracy']:.4f}")


def _train_bundle(args: argparse.Namespace) -> None:
    from proxy_attention.bundles import RESULT, RUNS_ROOT, run_bundle, train_settings, train_slice
    from proxy_attention.params import load_params
    from proxy_attention.train.run import train_run

    params = load_params(args.params)
    run_ids = _bundle_runs(params, args.bundle)

    def train(run_id: str) -> None:
        spec = _find_run(params, run_id)
        metrics = train_run(
            spec,
            train_slice(params),
            args.prepared,
            args.split,
            Path(RUNS_ROOT) / run_id,
            args.threads,
            dataset=params["datasets"][spec.dataset],
        )
        print(f"{run_id}: test accuracy {metrics['test']['accuracy']:.4f}", flush=True)

    done = run_bundle(
        run_ids,
        train_settings(params),
        result_of=lambda run_id: Path(RUNS_ROOT) / run_id / RESULT,
        inputs_of=lambda run_id: [args.prepared, args.split],
        make=train,
        marker_path=args.marker,
    )
    _print_bundle(args.bundle, done)


def _find_run(params: dict, run_id: str):
    from proxy_attention.grid import find_run

    try:
        return find_run(params, run_id)
    except KeyError as exc:
        raise UserError(str(exc)) from None


def _bundle_runs(params: dict, bundle_id: str) -> list[str]:
    from proxy_attention.bundles import bundles

    grouped = bundles(params)
    if bundle_id not in grouped:
        raise UserError(f"bundle {bundle_id!r} is not in the grid of this params file")
    return grouped[bundle_id]


def _print_bundle(bundle_id: str, done: list[dict]) -> None:
    made = sum(entry["status"] == "made" for entry in done)
    print(f"{bundle_id}: {made} made, {len(done) - made} already current")


def _aggregate(args: argparse.Namespace) -> None:
    from proxy_attention.bundles import RESULT
    from proxy_attention.grid import expand_grid
    from proxy_attention.params import load_params
    from proxy_attention.report.aggregate import aggregate_to

    run_ids = [spec.run_id for spec in expand_grid(load_params(args.params))]
    metrics = [args.runs / run_id / RESULT for run_id in run_ids]
    explain = [args.explain / run_id / RESULT for run_id in run_ids] if args.explain else []
    aggregate_to(metrics, explain, args.out)


def _report(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params
    from proxy_attention.report.build import write_report

    write_report(args.results, load_params(args.params), args.params, args.out, args.thesis_grid)


def _samples(args: argparse.Namespace) -> None:
    from proxy_attention.report.samples import write_sample_figures

    write_sample_figures(args.prepared, args.out)


def _dag(args: argparse.Namespace) -> None:
    from proxy_attention.report.dag import write_dag_figure

    write_dag_figure(args.dot, args.out)


def _explain(args: argparse.Namespace) -> None:
    from proxy_attention.bundles import explain_settings, stamp
    from proxy_attention.params import load_params

    params = load_params(args.params)
    spec = _find_run(params, args.run)
    _measure(params, spec, args.checkpoint, args.prepared, args.split, args.out, args.threads)
    stamp(args.out, explain_settings(params), spec.run_id)


def _explain_bundle(args: argparse.Namespace) -> None:
    from proxy_attention.bundles import (
        EXPLAIN_ROOT,
        RESULT,
        RUNS_ROOT,
        explain_settings,
        run_bundle,
    )
    from proxy_attention.params import load_params
    from proxy_attention.train.run import CHECKPOINT

    params = load_params(args.params)
    run_ids = _bundle_runs(params, args.bundle)

    def checkpoint(run_id: str) -> Path:
        return Path(RUNS_ROOT) / run_id / CHECKPOINT

    def explain(run_id: str) -> None:
        out = Path(EXPLAIN_ROOT) / run_id / RESULT
        spec = _find_run(params, run_id)
        _measure(params, spec, checkpoint(run_id), args.prepared, args.split, out, args.threads)

    done = run_bundle(
        run_ids,
        explain_settings(params),
        result_of=lambda run_id: Path(EXPLAIN_ROOT) / run_id / RESULT,
        inputs_of=lambda run_id: [checkpoint(run_id), args.prepared, args.split],
        make=explain,
        marker_path=args.marker,
    )
    _print_bundle(args.bundle, done)


def _measure(params, spec, checkpoint, prepared, split, out, threads) -> None:
    import torch

    from proxy_attention.bundles import explain_slice
    from proxy_attention.explain.measure import measure_run
    from proxy_attention.train.loop import select_device

    if threads:
        torch.set_num_threads(threads)
    device = select_device(params["train"]["device"])
    dataset = params["datasets"][spec.dataset]
    result = measure_run(
        spec, explain_slice(params), checkpoint, prepared, split, out, device, dataset
    )
    print(f"{spec.run_id}: {result['method']} deletion AUC {result['mean']['deletion_auc']:.3f}")


def _saliency_figures(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params
    from proxy_attention.report.figure_pairs import write_saliency_tex

    write_saliency_tex(load_params(args.params), args.figures, args.out)


def _thesis(args: argparse.Namespace) -> None:
    from proxy_attention.thesis import build_pdf

    build_pdf(args.tex, args.out)


def _predict(args: argparse.Namespace) -> None:
    from proxy_attention.inference import predict_folder

    table = predict_folder(
        args.run_dir, args.images, args.out, args.saliency_method, args.overlays, device=args.device
    )
    print(f"{args.out}: {len(table)} images")


def _metrics(args: argparse.Namespace) -> None:
    from proxy_attention.params import load_params
    from proxy_attention.report.dvc_metrics import write_dvc_metrics

    confidence = load_params(args.params)["report"]["confidence"]
    write_dvc_metrics(args.results, confidence, args.out, args.html)


def _job_costs(args: argparse.Namespace) -> None:
    from proxy_attention.report.job_costs import write_job_costs

    write_job_costs(args.benchmarks, args.csv, args.html)


if __name__ == "__main__":
    sys.exit(main())
