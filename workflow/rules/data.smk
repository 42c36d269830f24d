# The download's output is its manifest, not the folder: Snakemake deletes a failed job's
# outputs, and the folder holds archives that may be the user's only copy (placed by hand) or
# gigabytes already verified. The step keeps verified files, so a rerun fetches nothing again.
rule download:
    output:
        "data/raw/{dataset}/verified.json",
    params:
        config=dataset_params,
    log:
        "logs/download/{dataset}.log",
    shell:
        "{CLI} download --params {PARAMS_FILE} --dataset {wildcards.dataset}"
        " --out data/raw/{wildcards.dataset} --manifest {output} 2> {log}"


rule prepare:
    input:
        "data/raw/{dataset}/verified.json",
    output:
        directory("data/prepared/{dataset}"),
    params:
        config=dataset_params,
    log:
        "logs/prepare/{dataset}.log",
    benchmark:
        "logs/benchmarks/prepare/{dataset}.tsv"
    shell:
        "{CLI} prepare --params {PARAMS_FILE} --dataset {wildcards.dataset}"
        " --raw data/raw/{wildcards.dataset} --out {output} 2> {log}"


rule split:
    input:
        "data/prepared/{dataset}",
    output:
        "data/splits/{dataset}.npz",
    params:
        config=dataset_params,
    log:
        "logs/split/{dataset}.log",
    shell:
        "{CLI} split --params {PARAMS_FILE} --dataset {wildcards.dataset} --prepared {input} --out {output} > {log} 2>&1"
