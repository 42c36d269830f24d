# The download's output is its manifest, not the folder: Snakemake deletes a failed job's
# outputs, and the folder holds archives that may be the user's only copy (placed by hand) or
# gigabytes already verified. The step keeps verified files, so a rerun fetches nothing again;
# it writes them into the manifest's folder (layout.RAW).
rule download:
    output:
        layout.RAW_MANIFEST,
    params:
        code=CODE["download"],
        config=dataset_params,
    log:
        "logs/download/{dataset}.log",
    shell:
        "{CLI} download --params {PARAMS_FILE:q} --dataset {wildcards.dataset:q}"
        " --manifest {output:q} 2> {log:q}"


rule prepare:
    input:
        manifest=layout.RAW_MANIFEST,
    output:
        directory(layout.PREPARED),
    params:
        code=CODE["prepare"],
        config=dataset_params,
        raw=input_folder("manifest"),
    log:
        "logs/prepare/{dataset}.log",
    benchmark:
        "logs/benchmarks/prepare/{dataset}.tsv"
    shell:
        "{CLI} prepare --params {PARAMS_FILE:q} --dataset {wildcards.dataset:q}"
        " --raw {params.raw:q} --out {output:q} 2> {log:q}"


rule split:
    input:
        layout.PREPARED,
    output:
        split=layout.SPLIT,
        duplicates=layout.SPLIT_DUPLICATES,
    params:
        code=CODE["split"],
        config=split_params,
    log:
        "logs/split/{dataset}.log",
    shell:
        "{CLI} split --params {PARAMS_FILE:q} --dataset {wildcards.dataset:q} --prepared {input:q} --out {output.split:q} > {log:q} 2>&1"
