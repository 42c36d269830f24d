# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Saliency maps of a proxy run and its control
#
# Test images with the evaluation saliency method's maps (`explain.method`) of both models
# overlaid, titled with each model's prediction. The logic lives in
# `proxy_attention.report.map_figures`; this notebook calls it and saves the figure as
# PDF (thesis) and PNG (people). The pipeline runs it with papermill, once per entry of
# `figures.pairs` (workflow/rules/notebooks.smk).

# %%
import sys
from pathlib import Path

from IPython.display import Image, display

from proxy_attention.params import load_params
from proxy_attention.report.map_figures import comparison_figure
from proxy_attention.report.notebook_figures import notebook_parameters
from proxy_attention.report.plotting import save_figure

# %% tags=["parameters"]
# Papermill injects these. Run by hand from the project root, the first pair is drawn.
params_file = "params.yaml"
proxy_run = None
parameters = None

# %%
if parameters is None:
    params = load_params(params_file)
    pair = proxy_run or params["figures"]["pairs"][0]
    parameters = notebook_parameters("saliency_comparison", params, pair)
print("kernel interpreter:", sys.executable)
display(parameters)

# %%
fig = comparison_figure(**parameters["figure"])
save_figure(fig, Path(parameters["out_dir"]), parameters["name"])
display(Image(filename=f"{parameters['out_dir']}/{parameters['name']}.png"))
