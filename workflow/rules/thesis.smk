THESIS_SOURCES = [
    f"{layout.THESIS_DIR}/{pattern}" for pattern in ("*.tex", "*.bib", "*.sty", "chapters/*.tex")
]


rule thesis:
    input:
        GENERATED,
        main=layout.THESIS_TEX,
        sources=sorted(f for pattern in THESIS_SOURCES for f in glob.glob(pattern)),
    output:
        report(THESIS_PDF, caption="../report/thesis.rst", category="Thesis"),
    params:
        code=CODE["thesis"],
    log:
        "logs/thesis.log",
    benchmark:
        "logs/benchmarks/thesis/thesis.tsv"
    shell:
        "{CLI} thesis --tex {input.main:q} --out {output:q} > {log:q} 2>&1"
