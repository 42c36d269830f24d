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
# overlaid, titled with each model's prediction. The pipeline runs it with papermill, once per
# entry of `figures.pairs` (workflow/rules/notebooks.smk).

# %%
from IPython.display import Image

from proxy_attention.report.map_figures import comparison_figure
from proxy_attention.report.notebook_figures import figure_parameters, save_notebook_figure

# %% tags=["parameters"]
# Papermill injects these; run by hand from the project root, the first pair is drawn.
params_file = "params.yaml"
proxy_run = None
parameters = None

# %%
parameters = figure_parameters("saliency_comparison", params_file, proxy_run, parameters)
Image(save_notebook_figure(comparison_figure(**parameters["figure"]), parameters))
