# Proxy Attention pipeline. Thin by design: it validates params.yaml, then includes the rules;
# every rule calls one `proxy-attention` subcommand. `snakemake --cores N` builds the thesis.
from snakemake.utils import min_version

min_version("9.0")


# `snakemake --report report.html`: this text, then every report() output by category.
report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/weights.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/explain.smk"
include: "workflow/rules/notebooks.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/thesis.smk"
include: "workflow/rules/metrics.smk"


# download and weights need the network, which cluster compute nodes often lack: they run
# where Snakemake runs. prepare and split need none (and much memory): they stay jobs.
# metrics and job_costs only read a few small tables: a cluster job would cost more than them.
localrules: all, data, runs, results, download, weights, metrics, job_costs


rule all:
    input:
        THESIS_PDF,
        f"{layout.METRICS_ROOT}/{layout.DVC_METRICS}",
        f"{layout.REPORT_ROOT}/job_costs.html",
    default_target: True


rule data:
    """Every dataset of the grid downloaded, prepared and split."""
    input:
        expand(layout.SPLIT, dataset=GRID_DATASETS),


rule runs:
    """Every training run of the grid."""
    input:
        TRAINED,


rule results:
    """The aggregated run table and the generated thesis inputs."""
    input:
        layout.results(layout.RUNS_CSV),
        GENERATED,
