# What the researchers' own tools read: DVC's metrics and plots files (metrics/, outside every
# DVC outs folder, kept in git) and the tables of Snakemake's report (data/report/).


rule metrics:
    input:
        "data/results/runs.csv",
        "data/results/epochs.csv",
    output:
        "metrics/metrics.json",
        "metrics/learning_curves.csv",
        "metrics/test_accuracy.csv",
        html=report(
            "data/report/results.html",
            caption="../report/results.rst",
            category="Results",
            labels={"result": "test accuracy and gain over the control"},
        ),
    params:
        report=json.dumps(PARAMS["report"]),
    log:
        "logs/metrics.log",
    shell:
        "{CLI} metrics --params {PARAMS_FILE} --results data/results --out metrics"
        " --html {output.html} 2> {log}"


rule job_costs:
    """Time and memory per rule from the benchmark files; after the thesis, the last job."""
    input:
        # The thesis job's benchmark, not its PDF: `dvc repro` re-links the PDF into its cache
        # after the job, which would make the PDF look newer than this table.
        "logs/benchmarks/thesis/thesis.tsv",
    output:
        csv="data/report/job_costs.csv",
        html=report(
            "data/report/job_costs.html",
            caption="../report/job_costs.rst",
            category="Cost",
            labels={"result": "time and memory per rule"},
        ),
    log:
        "logs/job_costs.log",
    shell:
        "{CLI} job-costs --benchmarks logs/benchmarks --csv {output.csv} --html {output.html}"
        " 2> {log}"
