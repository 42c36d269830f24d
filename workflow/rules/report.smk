import snakemake.io

# The result figures the report step draws for the thesis, also shown in Snakemake's report;
# the cost-gain figure exists only when the grid has proxy runs.
RESULT_FIGURE_LABELS = {
    "val_accuracy": "validation accuracy per epoch",
    "test_accuracy": "test accuracy per variant",
}
if any(spec.proxy is not None for spec in RUNS.values()):
    RESULT_FIGURE_LABELS["cost_gain"] = "accuracy gained against time spent"
RESULT_FIGURES = [
    # The parser reads `report` at the start of a line as its directive: the flag by its path.
    snakemake.io.report(
        f"thesis/generated/figures/{name}.png",
        caption=f"../report/{name}.rst",
        category="Results",
        labels={"result": label},
    )
    for name, label in RESULT_FIGURE_LABELS.items()
]


rule aggregate:
    input:
        trained=TRAINED,
        explained=EXPLAINED,
    output:
        report(
            "data/results/runs.csv",
            caption="../report/runs_table.rst",
            category="Tables",
            labels={"result": "every run, one row each"},
        ),
        "data/results/epochs.csv",
        "data/results/per_class.csv",
    log:
        "logs/aggregate.log",
    shell:
        "{CLI} aggregate --params {PARAMS_FILE} --runs data/runs --explain data/explain"
        " --out data/results 2> {log}"


rule report:
    input:
        "data/results/runs.csv",
        "data/results/epochs.csv",
        "data/results/per_class.csv",
        schema="src/proxy_attention/schemas/params.schema.yaml",
        thesis_grid="workflow/configs/thesis.yaml",
        lock="requirements.lock",
    output:
        "thesis/generated/evaluation.tex",
        "thesis/generated/appendix.tex",
        "thesis/generated/macros.tex",
        "thesis/generated/hyperparameters.tex",
        "thesis/generated/colophon.tex",
        "thesis/generated/explainability.tex",
        "thesis/generated/leak.tex",
        RESULT_FIGURES,
        "data/results/variants.csv",
    params:
        report=lambda w: json.dumps(PARAMS["report"]),
    log:
        "logs/report.log",
    shell:
        "{CLI} report --params {PARAMS_FILE} --results data/results --out thesis/generated"
        " --thesis-grid {input.thesis_grid} 2> {log}"


rule samples:
    input:
        expand("data/prepared/{dataset}", dataset=GRID_DATASETS),
    output:
        "thesis/generated/datasets.tex",
    log:
        "logs/samples.log",
    shell:
        "{CLI} samples --out thesis/generated {input} 2> {log}"


rule rulegraph:
    input:
        "Snakefile",
        glob.glob("workflow/rules/*.smk"),
    output:
        dot="thesis/generated/rulegraph.dot",
        tex="thesis/generated/dag.tex",
    log:
        "logs/rulegraph.log",
    shell:
        "{SNAKEMAKE} all --rulegraph --nolock --quiet > {output.dot} 2> {log}"
        " && {CLI} dag --dot {output.dot} --out thesis/generated 2>> {log}"


rule estimate:
    """What the grid of report.estimate costs (runs, disk, device-hours), for the thesis."""
    input:
        PARAMS["report"]["estimate"],
    output:
        "thesis/generated/estimate.tex",
    log:
        "logs/estimate.log",
    shell:
        "{CLI} estimate --params {input} --tex {output} > {log} 2>&1"
