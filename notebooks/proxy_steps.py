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
# # The images each proxy step replaced, before and after
#
# For every proxy step of a run, the first misclassified training images it chose: the
# original (`originals.npy`) above the saliency map the step used (`maps.npy`, with a colour
# bar) above the proxy that replaced it (`images.npy`).

# %%
from IPython.display import Image

from proxy_attention.report.map_figures import steps_figure
from proxy_attention.report.notebook_figures import figure_parameters, save_notebook_figure

# %% tags=["parameters"]
# Papermill injects these; run by hand from the project root, the first pair is drawn.
params_file = "params.yaml"
proxy_run = None
parameters = None

# %%
parameters = figure_parameters("proxy_steps", params_file, proxy_run, parameters)
Image(save_notebook_figure(steps_figure(**parameters["figure"]), parameters))
