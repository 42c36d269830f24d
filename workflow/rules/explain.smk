# Measured explainability: faithfulness metrics of every run's saliency maps (explain.method,
# which must differ from the proxy method) on the same test images; aggregate joins them.


rule explain:
    input:
        # Plain patterns like the train rule's: input functions slow `snakemake -n` on big grids.
        checkpoint=layout.RUN_CHECKPOINT,
        prepared=layout.PREPARED,
        split=layout.SPLIT,
    output:
        # The per-image arrays go beside it; metrics.json is written last, so it stands for all.
        metrics=layout.EXPLAIN_METRICS,
    params:
        code=CODE["explain"],
        settings=EXPLAIN_SETTINGS,
    threads: 1
    resources:
        gpu=GPUS_PER_JOB,
    log:
        "logs/explain/{dataset}/{variant}.log",
    benchmark:
        "logs/benchmarks/explain/{dataset}/{variant}.tsv"
    shell:
        "{CLI} explain --params {PARAMS_FILE} --run '{wildcards.dataset}/{wildcards.variant}'"
        " --checkpoint {input.checkpoint}"
        " --prepared {input.prepared} --split {input.split} --out {output.metrics}"
        " --threads {threads} > {log} 2>&1"


rule explain_bundle:
    input:
        trained=layout.TRAIN_MARKER,
        prepared=layout.PREPARED,
        split=layout.SPLIT,
    output:
        layout.EXPLAIN_MARKER,
    params:
        code=CODE["explain"],
        settings=EXPLAIN_SETTINGS,
        runs=bundle_runs,
    threads: 1
    resources:
        gpu=GPUS_PER_JOB,
    log:
        "logs/explain/{dataset}/{bundle}.bundle.log",
    benchmark:
        "logs/benchmarks/explain_bundle/{dataset}/{bundle}.tsv"
    shell:
        "{CLI} explain-bundle --params {PARAMS_FILE} --bundle '{wildcards.dataset}/{wildcards.bundle}'"
        " --prepared {input.prepared} --split {input.split} --marker {output}"
        " --threads {threads} > {log} 2>&1"
