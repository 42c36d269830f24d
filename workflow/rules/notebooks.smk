# Notebook figures through papermill: each entry of the registry (report/notebook_figures.py)
# runs its notebook once per entry of figures.pairs, in one rule; the executed notebook is kept
# next to its PDF and PNG in data/figures/<pair>/.
from proxy_attention.code_digest import notebook_digest
from proxy_attention.report.notebook_figures import (
    NOTEBOOK_FIGURES,
    notebook_inputs,
    notebook_parameters,
    pair_slug,
)

PAIRS = {pair_slug(run_id): run_id for run_id in PARAMS["figures"]["pairs"]}
NOTEBOOK_CODE = {name: notebook_digest(entry.notebook) for name, entry in NOTEBOOK_FIGURES.items()}
# The kernel must be this interpreter: JUPYTER_PATH puts the environment's python3 kernel spec
# (argv "python", which jupyter_client replaces by sys.executable) before any user-wide one.
# Quoted here (the shell's :q cannot quote a value with several words); the variable's name
# stays bare, or the shell would not read it as an assignment.
PAPERMILL = (
    f"JUPYTER_PATH={shlex.quote(sys.prefix + '/share/jupyter')} "
    + shlex.join([sys.executable, "-m", "papermill"])
)
FIGURE_PDFS = [
    f"{layout.NOTEBOOK_STEM}.pdf".format(pair=slug, notebook=name)
    for slug in PAIRS
    for name in NOTEBOOK_FIGURES
]

wildcard_constraints:
    pair="[A-Za-z0-9_-]+",
    notebook="|".join(NOTEBOOK_FIGURES),


def notebook_settings(w):
    """Papermill's parameters for one pair, as a rule param: a change reruns that notebook only."""
    return json.dumps(
        {
            "params_file": PARAMS_FILE,
            "proxy_run": PAIRS[w.pair],
            "parameters": notebook_parameters(w.notebook, PARAMS, PAIRS[w.pair]),
        },
        sort_keys=True,
    )


rule notebook:
    input:
        notebook=lambda w: NOTEBOOK_FIGURES[w.notebook].notebook,
        data=lambda w: notebook_inputs(w.notebook, PARAMS, PAIRS[w.pair], trained),
    output:
        notebook=f"{layout.NOTEBOOK_STEM}.ipynb",
        pdf=f"{layout.NOTEBOOK_STEM}.pdf",
        png=report(
            f"{layout.NOTEBOOK_STEM}.png",
            caption="../report/notebook_figure.rst",
            category="Saliency figures",
            subcategory="{pair}",
            labels=lambda w: {"result": NOTEBOOK_FIGURES[w.notebook].report_label},
        ),
    params:
        code=lambda w: NOTEBOOK_CODE[w.notebook],
        settings=notebook_settings,
        # Read by the report's caption (workflow/report/notebook_figure.rst), not the step.
        caption=lambda w: NOTEBOOK_FIGURES[w.notebook].report_caption.format(pair=w.pair),
    threads: 1
    resources:
        gpu=GPUS_PER_JOB,
    log:
        "logs/notebooks/{pair}/{notebook}.log",
    benchmark:
        "logs/benchmarks/notebooks/{pair}/{notebook}.tsv"
    shell:
        "OMP_NUM_THREADS={threads:q} {PAPERMILL} {input.notebook:q} {output.notebook:q} -k python3"
        " --no-progress-bar -y {params.settings:q} > {log:q} 2>&1"


rule saliency_figures:
    """Every pair's figures copied into thesis/generated and included by one LaTeX file."""
    input:
        FIGURE_PDFS,
        # The captions' words (thesis/templates/notebook_figures.tex.j2): a reworded one rebuilds.
        templates=sorted(glob.glob(f"{layout.TEMPLATES_DIR}/*.tex.j2")),
    output:
        tex=layout.SALIENCY_TEX,
        copies=directory(layout.SALIENCY_FIGURES),
    params:
        code=CODE["saliency-figures"],
        captions=lambda w: json.dumps(
            {"figures": PARAMS["figures"], "method": PARAMS["explain"]["method"]}, sort_keys=True
        ),
        figures=layout.FIGURES_ROOT,
    log:
        "logs/saliency_figures.log",
    shell:
        "{CLI} saliency-figures --params {PARAMS_FILE:q} --figures {params.figures:q}"
        " --tex {output.tex:q} --copies {output.copies:q} > {log:q} 2>&1"
