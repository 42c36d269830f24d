rule download:
    output:
        directory("data/raw/{dataset}"),
    params:
        config=dataset_params,
    log:
        "logs/download/{dataset}.log",
    shell:
        "{CLI} download --params {PARAMS_FILE} --dataset {wildcards.dataset} --out {output} 2> {log}"


rule prepare:
    input:
        "data/raw/{dataset}",
    output:
        directory("data/prepared/{dataset}"),
    params:
        config=dataset_params,
    log:
        "logs/prepare/{dataset}.log",
    benchmark:
        "logs/benchmarks/prepare/{dataset}.tsv"
    shell:
        "{CLI} prepare --params {PARAMS_FILE} --dataset {wildcards.dataset} --raw {input} --out {output} 2> {log}"


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
