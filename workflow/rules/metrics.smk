# What the researchers' own tools read: DVC's metrics and plots files (metrics/, outside every
# DVC outs folder, kept in git) and the tables of Snakemake's report (data/report/).


rule metrics:
    input:
        runs=layout.results(layout.RUNS_CSV),
        epochs=layout.results(layout.EPOCHS_CSV),
    output:
        metrics=f"{layout.METRICS_ROOT}/{layout.DVC_METRICS}",
        curves=f"{layout.METRICS_ROOT}/{layout.LEARNING_CURVES}",
        accuracy=f"{layout.METRICS_ROOT}/{layout.TEST_ACCURACY}",
        html=report(
            f"{layout.REPORT_ROOT}/results.html",
            caption="../report/results.rst",
            category="Results",
            labels={"result": "test accuracy and gain over the control"},
        ),
    params:
        code=CODE["metrics"],
        report=json.dumps(PARAMS["report"]),
        results=input_folder("runs"),
        out=folder_of("metrics"),
    log:
        "logs/metrics.log",
    benchmark:
        "logs/benchmarks/metrics/metrics.tsv"
    shell:
        "{CLI} metrics --params {PARAMS_FILE:q} --results {params.results:q} --out {params.out:q}"
        " --html {output.html:q} 2> {log:q}"


rule job_costs:
    """Time and memory per rule from the benchmark files; after the thesis, the last job."""
    input:
        # The thesis job's benchmark, not its PDF: `dvc repro` re-links the PDF into its cache
        # after the job, which would make the PDF look newer than this table.
        "logs/benchmarks/thesis/thesis.tsv",
    output:
        csv=f"{layout.REPORT_ROOT}/job_costs.csv",
        html=report(
            f"{layout.REPORT_ROOT}/job_costs.html",
            caption="../report/job_costs.rst",
            category="Cost",
            labels={"result": "time and memory per rule"},
        ),
    params:
        code=CODE["job-costs"],
        benchmarks=layout.BENCHMARKS_ROOT,
    log:
        "logs/job_costs.log",
    shell:
        "{CLI} job-costs --benchmarks {params.benchmarks:q} --csv {output.csv:q} --html {output.html:q}"
        " 2> {log:q}"
