import snakemake.io

# The result figures the report step draws for this grid (common.smk: RESULT_FIGURE_FILES, from
# report/views.py, which the step follows too); these PNGs are shown in Snakemake's report.
RESULT_FIGURE_LABELS = {
    "val_accuracy": "validation accuracy per epoch",
    "test_accuracy": "test accuracy per variant",
    "cost_gain": "accuracy gained against time spent",
    "gain_heatmaps": "gain per threshold and weight",
}


def shown_in_report(path):
    name = path.rsplit("/", 1)[-1].removesuffix(".png")
    if not path.endswith(".png") or name not in RESULT_FIGURE_LABELS:
        return path
    # The parser reads `report` at the start of a line as its directive: the flag by its path.
    return snakemake.io.report(
        path,
        caption=f"../report/{name}.rst",
        category="Results",
        labels={"result": RESULT_FIGURE_LABELS[name]},
    )


rule aggregate:
    input:
        trained=TRAINED,
        explained=EXPLAINED,
    output:
        report(
            layout.results(layout.RUNS_CSV),
            caption="../report/runs_table.rst",
            category="Tables",
            labels={"result": "every run, one row each"},
        ),
        layout.results(layout.EPOCHS_CSV),
        layout.results(layout.PER_CLASS_CSV),
    params:
        code=CODE["aggregate"],
        # Paths come from the grid, not the command line (report_steps.aggregate).
        runs=layout.RUNS_ROOT,
        explain=layout.EXPLAIN_ROOT,
        out=folder_of(),
    log:
        "logs/aggregate.log",
    benchmark:
        "logs/benchmarks/aggregate/aggregate.tsv"
    shell:
        "{CLI} aggregate --params {PARAMS_FILE:q} --runs {params.runs:q} --explain {params.explain:q}"
        " --out {params.out:q} 2> {log:q}"


rule report:
    input:
        runs=layout.results(layout.RUNS_CSV),
        epochs=layout.results(layout.EPOCHS_CSV),
        per_class=layout.results(layout.PER_CLASS_CSV),
        # The whole params file: the colophon hashes it, the hyperparameter table lists it.
        params_file=PARAMS_FILE,
        schema="src/proxy_attention/schemas/params.schema.yaml",
        thesis_grid="workflow/configs/thesis.yaml",
        lock="requirements.lock",
        # The words of the generated files (report/templates.py): a reworded sentence rebuilds.
        templates=sorted(glob.glob(f"{layout.TEMPLATES_DIR}/*.tex.j2")),
    output:
        tex=layout.report_tex(),
        figures=[shown_in_report(path) for path in RESULT_FIGURE_FILES],
        variants=layout.results(layout.VARIANTS_CSV),
    params:
        code=CODE["report"],
        results=input_folder("runs"),
        out=folder_of("tex"),
    log:
        "logs/report.log",
    benchmark:
        "logs/benchmarks/report/report.tsv"
    shell:
        "{CLI} report --params {input.params_file:q} --results {params.results:q} --out {params.out:q}"
        " --thesis-grid {input.thesis_grid:q} 2> {log:q}"


rule samples:
    input:
        prepared=expand(layout.PREPARED, dataset=GRID_DATASETS),
        duplicates=expand(layout.SPLIT_DUPLICATES, dataset=GRID_DATASETS),
    output:
        tex=layout.DATASETS_TEX,
        figures=layout.sample_figures(GRID_DATASETS),
    params:
        code=CODE["samples"],
        figures=folder_of("figures"),
    log:
        "logs/samples.log",
    shell:
        "{CLI} samples --tex {output.tex:q} --figures {params.figures:q} {input.prepared:q}"
        " --duplicates {input.duplicates:q} 2> {log:q}"


rule gallery:
    input:
        prepared=layout.PREPARED.format(dataset=GRID_DATASETS[0]),
        # The captions' words (thesis/templates/augmentations.tex.j2): a reworded one rebuilds.
        words=f"{layout.TEMPLATES_DIR}/augmentations.tex.j2",
    output:
        tex=layout.GALLERY_TEX,
        figures=[
            # The parser reads `report` at the start of a line as its directive.
            snakemake.io.report(path, caption="../report/gallery.rst", category="Augmentations")
            if path.endswith(".png") else path
            for path in layout.gallery_figures(PARAMS["grid"]["augmentations"])
        ],
    params:
        code=CODE["gallery"],
        figures=layout.GALLERY_FIGURES,
        # a list: `:q` quotes each name as its own argument
        augmentations=list(PARAMS["grid"]["augmentations"]),
    log:
        "logs/gallery.log",
    shell:
        "{CLI} gallery --tex {output.tex:q} --figures {params.figures:q} {input.prepared:q}"
        " {params.augmentations:q} 2> {log:q}"


rule augmentation_costs:
    input:
        runs=layout.results(layout.RUNS_CSV),
        words=f"{layout.TEMPLATES_DIR}/augmentations.tex.j2",
    output:
        layout.AUGMENTATION_COSTS_TEX,
    params:
        code=CODE["augmentation-costs"],
    log:
        "logs/augmentation_costs.log",
    shell:
        "{CLI} augmentation-costs --runs {input.runs:q} --tex {output:q} 2> {log:q}"


rule rulegraph:
    input:
        "Snakefile",
        glob.glob("workflow/rules/*.smk"),
        # which rules run depends on the grid (bundles or one job per run)
        params_file=PARAMS_FILE,
    output:
        dot=layout.RULEGRAPH_DOT,
        pdf=layout.RULEGRAPH_PDF,
        tex=layout.DAG_TEX,
    params:
        code=CODE["dag"],
    log:
        "logs/rulegraph.log",
    shell:
        "{SNAKEMAKE} all --rulegraph --nolock --quiet --config params={input.params_file:q}"
        " > {output.dot:q} 2> {log:q}"
        " && {CLI} dag --dot {output.dot:q} --pdf {output.pdf:q} --tex {output.tex:q} 2>> {log:q}"


rule estimate:
    """What the grid of report.estimate costs (runs, disk, device-hours), for the thesis."""
    input:
        PARAMS["report"]["estimate"],
    output:
        layout.ESTIMATE_TEX,
    params:
        code=CODE["estimate"],
    log:
        "logs/estimate.log",
    shell:
        "{CLI} estimate --params {input:q} --tex {output:q} > {log:q} 2>&1"
