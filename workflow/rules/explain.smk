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
        "{CLI} explain --params {PARAMS_FILE:q} --run {wildcards.dataset:q}/{wildcards.variant:q}"
        " --checkpoint {input.checkpoint:q}"
        " --prepared {input.prepared:q} --split {input.split:q} --out {output.metrics:q}"
        " --threads {threads:q} > {log:q} 2>&1"


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
        "{CLI} explain-bundle --params {PARAMS_FILE:q} --bundle {wildcards.dataset:q}/{wildcards.bundle:q}"
        " --prepared {input.prepared:q} --split {input.split:q} --marker {output:q}"
        " --threads {threads:q} > {log:q} 2>&1"
