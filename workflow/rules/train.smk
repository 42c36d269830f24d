rule train:
    input:
        prepared=lambda w: f"data/prepared/{RUNS[w.run].dataset}",
        split=lambda w: f"data/splits/{RUNS[w.run].dataset}.npz",
    output:
        metrics="data/runs/{run}/metrics.json",
        checkpoint="data/runs/{run}/checkpoint.pt",
    params:
        spec=run_spec,
    threads: 4
    resources:
        gpu=lambda w: 1 if PARAMS["train"]["device"] == "cuda" else 0,
    log:
        "logs/train/{run}.log",
    shell:
        "{CLI} train --params {PARAMS_FILE} --run '{wildcards.run}' --prepared {input.prepared} --split {input.split}"
        " --out data/runs/{wildcards.run} --threads {threads} 2> {log}"
