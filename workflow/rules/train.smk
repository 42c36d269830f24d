rule train:
    input:
        # The run id starts with its dataset, so plain patterns wire the inputs: on the
        # thesis grid (21,690 runs) this keeps `snakemake -n` much faster than input functions.
        prepared=layout.PREPARED,
        split=layout.SPLIT,
        weights=WEIGHTS_INPUT,
    output:
        metrics=layout.RUN_METRICS,
        checkpoint=layout.RUN_CHECKPOINT,
    params:
        code=train_code,
        settings=TRAIN_SETTINGS,
    # Small CPU models train faster as parallel one-thread jobs (mobilenetv3 at 128 px on 2
    # cores: 2 x 121 against 200 images/s for one two-thread job, far less under load); a CUDA
    # job takes its GPU's share of the cores (common.smk). Raise it with
    # `--set-threads train=N` or a profile (the SLURM one asks for 8).
    threads: TRAIN_THREADS
    resources:
        gpu=GPUS_PER_JOB,
    log:
        "logs/train/{dataset}/{variant}.log",
    benchmark:
        "logs/benchmarks/train/{dataset}/{variant}.tsv"
    shell:
        "{OFFLINE_WEIGHTS} {CLI} train --params {PARAMS_FILE:q} --run {wildcards.dataset:q}/{wildcards.variant:q} --prepared {input.prepared:q} --split {input.split:q}"
        " --metrics {output.metrics:q} --checkpoint {output.checkpoint:q} --threads {threads:q} 2> {log:q}"


rule train_bundle:
    """Every run of one bundle (grid.train_together) that is not already current."""
    input:
        prepared=layout.PREPARED,
        split=layout.SPLIT,
        weights=WEIGHTS_INPUT,
    output:
        layout.TRAIN_MARKER,
    params:
        code=train_code,
        settings=TRAIN_SETTINGS,
        runs=bundle_runs,
    threads: TRAIN_THREADS
    resources:
        gpu=GPUS_PER_JOB,
    log:
        "logs/train/{dataset}/{bundle}.bundle.log",
    benchmark:
        "logs/benchmarks/train_bundle/{dataset}/{bundle}.tsv"
    shell:
        "{OFFLINE_WEIGHTS} {CLI} train-bundle --params {PARAMS_FILE:q} --bundle {wildcards.dataset:q}/{wildcards.bundle:q}"
        " --prepared {input.prepared:q} --split {input.split:q} --marker {output:q}"
        " --threads {threads:q} 2> {log:q}"
