"""DVC, Snakemake's report and TensorBoard show this build's numbers, on one tiny build.

The pipeline runs once for the module (`dvc repro`, which runs Snakemake to the thesis); the
experiment test, which changes the seeds, runs last.
"""

import json
import math
import shutil
import subprocess

import pandas as pd
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from proxy_attention.report.dvc_metrics import short_names
from tests.e2e.conftest import make_project, run, tiny_params

pytestmark = pytest.mark.e2e

BENCHMARKED = {"prepare", "train", "explain", "notebooks", "thesis"}


def one_augmentation_params() -> dict:
    """The tiny grid with one augmentation (a proxy run and its control) on 600 digits, in
    batches of 16: enough steps that the runs learn, and so differ, in two epochs."""
    params = tiny_params()
    params["datasets"]["digits"]["max_per_class"] = 60
    params["train"]["batch_size"] = 16
    params["grid"]["augmentations"] = ["basic"]
    params["explain"].update(max_images=16, steps=8)
    return params


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = make_project(tmp_path_factory.mktemp("tools") / "project", one_augmentation_params())
    run(["git", "init", "-q"], folder)
    run(["git", "config", "user.email", "test@example.org"], folder)
    run(["git", "config", "user.name", "test"], folder)
    run(["dvc", "repro"], folder, timeout=1500)
    # What the README says to commit: dvc.lock and metrics/ (data/ is DVC's and git-ignored).
    run(["git", "add", "-A"], folder)
    run(["git", "commit", "-q", "-m", "one seed"], folder)
    return folder


def runs_table(project) -> pd.DataFrame:
    runs = pd.read_csv(project / "data" / "results" / "runs.csv")
    names = short_names(sorted(runs["variant"].unique()))
    return runs.assign(name=runs["variant"].map(names))


def test_dvc_metrics_show_holds_the_runs_csv_numbers(project):
    shown = json.loads(run(["dvc", "metrics", "show", "--json"], project).stdout)
    metrics = shown[""]["data"]["metrics/metrics.json"]["data"]
    runs = runs_table(project)
    assert metrics["runs"] == len(runs) == 2
    for _, row in runs.iterrows():  # one seed: the mean is the run's accuracy
        assert metrics["test_accuracy"][row["name"]]["mean"] == pytest.approx(row["test_accuracy"])
    proxy, control = runs[runs["proxy"]].iloc[0], runs[~runs["proxy"]].iloc[0]
    gain = metrics["gain_over_control"][proxy["name"]]["mean_diff"]
    assert gain == pytest.approx(proxy["test_accuracy"] - control["test_accuracy"])
    table = run(["dvc", "metrics", "show"], project).stdout
    assert all(f"test_accuracy.{name}.mean" in table for name in runs["name"])


def test_dvc_plots_show_writes_html_of_both_plots(project):
    shown = json.loads(run(["dvc", "plots", "show", "--json"], project).stdout)["data"]
    runs = runs_table(project)
    points = shown["metrics/test_accuracy.csv"][0]["content"]["data"]["values"]
    assert sorted(float(p["test_accuracy"]) for p in points) == pytest.approx(
        sorted(runs["test_accuracy"])
    )
    curves = shown["metrics/learning_curves.csv"][0]["content"]["data"]["values"]
    epochs = pd.read_csv(project / "data" / "results" / "epochs.csv")
    assert sorted(float(p["val_accuracy"]) for p in curves) == pytest.approx(
        sorted(epochs["val_accuracy"])
    )
    assert {p["variant"] for p in curves} == set(runs["name"])
    run(["dvc", "plots", "show", "-o", "dvc_plots"], project)
    html = (project / "dvc_plots" / "index.html").read_text()
    assert "vegaEmbed" in html and "Validation accuracy per epoch" in html


def test_tensorboard_event_files_hold_every_runs_hparams(project):
    for _, row in runs_table(project).iterrows():
        events = EventAccumulator(str(project / "data" / "runs" / row["run_id"] / "tensorboard"))
        events.Reload()
        content = events.PluginTagToContent("hparams")["_hparams_/session_start_info"]
        hparams = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info.hparams
        assert hparams["seed"].number_value == row["seed"]
        assert hparams["augmentation"].string_value == row["augmentation"]
        assert hparams["proxy"].string_value == ("true" if row["proxy"] else "false")
        final = events.Scalars("test/accuracy")[-1].value
        assert final == pytest.approx(row["test_accuracy"], abs=1e-6)


def chromium(*args: str) -> subprocess.CompletedProcess:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "no Chromium: workflow/scripts/setup.sh --tests installs Debian's chromium"
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
         "--window-size=1400,1000", *args],
        capture_output=True, text=True, timeout=180, check=True,
    )  # fmt: skip


# Opens the Results category and shows the learning curves, as clicks in the menu would, once
# the page has drawn its menu; app, categories and results are the report page's globals.
SHOW_FIGURE = """<script>
function whenDrawn(step) {
  document.querySelector("#app nav") ? step() : setTimeout(() => whenDrawn(step), 100);
}
whenDrawn(() => {
  const path = Object.keys(results).find((p) => p.endsWith("val_accuracy.png"));
  app.setView({
    navbarMode: "subcategory",
    category: "Results",
    subcategory: Object.keys(categories["Results"])[0],
    content: "img",
    contentPath: results[path].data_uri,
    resultPath: path,
  });
});
</script>
"""


def rendered_app(dom: str) -> str:
    """What the report's JavaScript drew: the #app element, not the embedded data."""
    app = dom[dom.index('<div id="app">') :]
    return app[: app.index("<script")]


def test_snakemake_report_shows_the_figures_tables_and_costs(project):
    run(["snakemake", "--report", "report.html"], project)
    report = project / "report.html"
    html = report.read_text()
    for name in ("val_accuracy.png", "test_accuracy.png", "cost_gain.png", "proxy_steps.png",
                 "saliency_comparison.png", "proxy_gallery.png"):  # fmt: skip
        assert f"data:image/png;charset=utf8;filename={name};base64," in html, name
    for name in ("results.html", "job_costs.html", "runs.csv", "thesis.pdf"):
        assert f'"filename": "{name}"' in html, name
    menu = rendered_app(chromium("--dump-dom", report.as_uri()).stdout)
    for category in ("Results", "Saliency figures", "Tables", "Cost", "Thesis"):
        assert f">{category}<" in menu, category

    opened = project / "report_results.html"
    end = html.rindex("</body>")  # the page's own; embedded HTML results have theirs
    opened.write_text(html[:end] + SHOW_FIGURE + html[end:])
    shot = project / "report_results.png"
    chromium(f"--screenshot={shot}", opened.as_uri())
    assert shot.stat().st_size > 20_000
    view = rendered_app(chromium("--dump-dom", opened.as_uri()).stdout)
    assert '<img src="data:image/png;charset=utf8;filename=val_accuracy.png' in view
    for label in ("validation accuracy per epoch", "test accuracy and gain over the control"):
        assert f">{label}<" in view, label  # the category's list of results

    costs = pd.read_csv(project / "data" / "report" / "job_costs.csv").set_index("rule")
    assert set(costs.index) >= BENCHMARKED
    assert costs.loc["train", "jobs"] == 2 and costs.loc["train", "total_s"] > 0
    assert f"<td>{costs.loc['train', 'total_s']:.1f}</td>" in html_of(project, "job_costs.html")


def html_of(project, name: str) -> str:
    return (project / "data" / "report" / name).read_text()


def test_dvc_experiment_and_metrics_diff_show_the_new_seed(project):
    run(["dvc", "exp", "run", "-S", "grid.seeds=[0,1]", "metrics"], project, timeout=1500)
    runs = runs_table(project)
    assert len(runs) == 4
    shown = json.loads(run(["dvc", "exp", "show", "--json"], project).stdout)
    experiments = [
        rev["data"]
        for baseline in shown
        for experiment in baseline.get("experiments") or []
        for rev in experiment["revs"]
    ]
    assert len(experiments) == 1
    experiment = experiments[0]
    metrics = experiment["metrics"]["metrics/metrics.json"]["data"]
    assert experiment["params"]["params.yaml"]["data"]["grid"]["seeds"] == [0, 1]
    for name, group in runs.groupby("name"):
        entry = metrics["test_accuracy"][name]
        assert entry["seeds"] == 2
        assert entry["mean"] == pytest.approx(group["test_accuracy"].mean())
        assert entry["ci_low"] <= entry["mean"] <= entry["ci_high"]
    columns = run(["dvc", "exp", "show", "--csv", "--only-changed"], project).stdout
    header = columns.splitlines()[0].split(",")
    assert {"runs", "grid.seeds", f"test_accuracy.{runs['name'].iloc[0]}.mean"} <= set(header)

    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "-m", "two seeds"], project)
    diff = json.loads(run(["dvc", "metrics", "diff", "HEAD~1", "--json"], project).stdout)
    changes = diff["metrics/metrics.json"]
    assert changes["runs"] == {"old": 2, "new": 4, "diff": 2}
    name = runs[~runs["proxy"]]["name"].iloc[0]
    mean = changes[f"test_accuracy.{name}.mean"]
    assert mean["new"] == pytest.approx(runs[~runs["proxy"]]["test_accuracy"].mean())
    assert math.isclose(mean["diff"], mean["new"] - mean["old"], abs_tol=1e-9)
