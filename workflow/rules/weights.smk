# Pretrained weights, fetched where Snakemake runs (a local rule: on a cluster, the login node,
# which has network) into data/cache/weights; every training job reads them with the hub offline.
from proxy_attention.weights import MARKER, grid_models, shell_prefix

WEIGHTS_MODELS = grid_models(PARAMS)
# What a training job's input lists: the cache marker when the grid trains pretrained models.
WEIGHTS_INPUT = [MARKER] if WEIGHTS_MODELS else []
OFFLINE_WEIGHTS = shell_prefix(offline=True)


rule weights:
    """Every pretrained model of the grid, downloaded once before any training job."""
    output:
        MARKER,
    params:
        code=CODE["weights"],
        models=" ".join(WEIGHTS_MODELS),
        env=shell_prefix(offline=False),
    log:
        "logs/weights.log",
    shell:
        "{params.env} {CLI} weights --params {PARAMS_FILE:q} --out {output:q} > {log:q} 2>&1"
