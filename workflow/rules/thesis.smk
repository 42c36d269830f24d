THESIS_SOURCES = ["thesis/*.tex", "thesis/*.bib", "thesis/*.sty", "thesis/chapters/*.tex"]


rule thesis:
    input:
        GENERATED,
        sources=sorted(f for pattern in THESIS_SOURCES for f in glob.glob(pattern)),
    output:
        THESIS_PDF,
    log:
        "logs/thesis.log",
    shell:
        "{CLI} thesis --tex thesis/thesis.tex --out {output} > {log} 2>&1"
