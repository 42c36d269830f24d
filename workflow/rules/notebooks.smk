# Saliency figures through papermill: each notebook in notebooks/ runs once per entry of
# figures.pairs; the executed notebook is kept next to its PDF and PNG in data/figures/<pair>/.
from proxy_attention.report.figure_pairs import (
    NOTEBOOKS,
    notebook_inputs,
    notebook_parameters,
    pair_slug,
)

PAIRS = {pair_slug(run_id): run_id for run_id in PARAMS["figures"]["pairs"]}
# The kernel must be this interpreter: JUPYTER_PATH puts the environment's python3 kernel spec
# (argv "python", which jupyter_client replaces by sys.executable) before any user-wide one.
PAPERMILL = f"JUPYTER_PATH={sys.prefix}/share/jupyter {sys.executable} -m papermill"
FIGURE_PDFS = [f"data/figures/{slug}/{name}.pdf" for slug in PAIRS for name in NOTEBOOKS]

wildcard_constraints:
    pair="[A-Za-z0-9_-]+",


def notebook_settings(name):
    """Papermill's parameters for one pair, as a rule param: a change reruns that notebook only."""
    return lambda w: json.dumps(
        {
            "params_file": PARAMS_FILE,
            "proxy_run": PAIRS[w.pair],
            "settings": notebook_parameters(name, PARAMS, PAIRS[w.pair]),
        },
        sort_keys=True,
    )


def notebook_data(name):
    return lambda w: notebook_inputs(name, PARAMS, PAIRS[w.pair], trained)


PAPERMILL_SHELL = (
    "OMP_NUM_THREADS={threads} {PAPERMILL} {input.notebook} {output.notebook} -k python3"
    " --no-progress-bar -y {params.settings:q} > {log} 2>&1"
)


rule saliency_comparison:
    input:
        notebook="notebooks/saliency_comparison.ipynb",
        data=notebook_data("saliency_comparison"),
    output:
        notebook="data/figures/{pair}/saliency_comparison.ipynb",
        pdf="data/figures/{pair}/saliency_comparison.pdf",
        png=report(
            "data/figures/{pair}/saliency_comparison.png",
            caption="../report/saliency_comparison.rst",
            category="Saliency figures",
            subcategory="{pair}",
            labels={"result": "saliency maps of the proxy run and its control"},
        ),
    params:
        settings=notebook_settings("saliency_comparison"),
    threads: 1
    resources:
        gpu=GPUS_PER_JOB,
    log:
        "logs/notebooks/{pair}/saliency_comparison.log",
    benchmark:
        "logs/benchmarks/notebooks/{pair}/saliency_comparison.tsv"
    shell:
        PAPERMILL_SHELL


rule proxy_gallery:
    input:
        notebook="notebooks/proxy_gallery.ipynb",
        data=notebook_data("proxy_gallery"),
    output:
        notebook="data/figures/{pair}/proxy_gallery.ipynb",
        pdf="data/figures/{pair}/proxy_gallery.pdf",
        png=report(
            "data/figures/{pair}/proxy_gallery.png",
            caption="../report/proxy_gallery.rst",
            category="Saliency figures",
            subcategory="{pair}",
            labels={"result": "proxy images across thresholds and weights"},
        ),
    params:
        settings=notebook_settings("proxy_gallery"),
    threads: 1
    resources:
        gpu=GPUS_PER_JOB,
    log:
        "logs/notebooks/{pair}/proxy_gallery.log",
    benchmark:
        "logs/benchmarks/notebooks/{pair}/proxy_gallery.tsv"
    shell:
        PAPERMILL_SHELL


rule proxy_steps:
    input:
        notebook="notebooks/proxy_steps.ipynb",
        data=notebook_data("proxy_steps"),
    output:
        notebook="data/figures/{pair}/proxy_steps.ipynb",
        pdf="data/figures/{pair}/proxy_steps.pdf",
        png=report(
            "data/figures/{pair}/proxy_steps.png",
            caption="../report/proxy_steps.rst",
            category="Saliency figures",
            subcategory="{pair}",
            labels={"result": "the images of every proxy step"},
        ),
    params:
        settings=notebook_settings("proxy_steps"),
    threads: 1
    resources:
        gpu=GPUS_PER_JOB,
    log:
        "logs/notebooks/{pair}/proxy_steps.log",
    benchmark:
        "logs/benchmarks/notebooks/{pair}/proxy_steps.tsv"
    shell:
        PAPERMILL_SHELL


rule saliency_figures:
    """Every pair's figures copied into thesis/generated and included by one LaTeX file."""
    input:
        FIGURE_PDFS,
    output:
        tex="thesis/generated/saliency_figures.tex",
        copies=directory("thesis/generated/figures/saliency"),
    params:
        captions=lambda w: json.dumps(
            {"figures": PARAMS["figures"], "method": PARAMS["explain"]["method"]}, sort_keys=True
        ),
    log:
        "logs/saliency_figures.log",
    shell:
        "{CLI} saliency-figures --params {PARAMS_FILE} --figures data/figures --out thesis/generated"
        " > {log} 2>&1"
