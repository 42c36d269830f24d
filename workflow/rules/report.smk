rule aggregate:
    input:
        trained=TRAINED,
        explained=EXPLAINED,
    output:
        "data/results/runs.csv",
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
        schema="workflow/schemas/params.schema.yaml",
        thesis_grid="workflow/configs/thesis.yaml",
        lock="requirements.lock",
    output:
        "thesis/generated/evaluation.tex",
        "thesis/generated/appendix.tex",
        "thesis/generated/macros.tex",
        "thesis/generated/hyperparameters.tex",
        "thesis/generated/colophon.tex",
        "thesis/generated/explainability.tex",
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
