# Measured explainability: faithfulness metrics of every run's saliency maps (explain.method,
# which must differ from the proxy method) on the same test images; aggregate joins them.
from proxy_attention.explain.measure import PER_IMAGE as EXPLAIN_ARRAYS


# The knobs the explain step reads, so Snakemake reruns it when any of them change.
EXPLAIN_SETTINGS = json.dumps(
    {"explain": PARAMS["explain"], "target_layer": PARAMS["proxy"]["target_layer"]},
    sort_keys=True,
)


rule explain:
    input:
        # Plain patterns like the train rule's: input functions slow `snakemake -n` on big grids.
        checkpoint="data/runs/{dataset}/{variant}/checkpoint.pt",
        prepared="data/prepared/{dataset}",
        split="data/splits/{dataset}.npz",
    output:
        metrics="data/explain/{dataset}/{variant}/metrics.json",
        arrays=[f"data/explain/{{dataset}}/{{variant}}/{name}.npy" for name in EXPLAIN_ARRAYS],
    params:
        settings=EXPLAIN_SETTINGS,
    threads: 1
    resources:
        gpu=GPUS_PER_JOB,
    log:
        "logs/explain/{dataset}/{variant}.log",
    shell:
        "{CLI} explain --params {PARAMS_FILE} --run '{wildcards.dataset}/{wildcards.variant}'"
        " --checkpoint {input.checkpoint}"
        " --prepared {input.prepared} --split {input.split} --out {output.metrics}"
        " --threads {threads} > {log} 2>&1"
