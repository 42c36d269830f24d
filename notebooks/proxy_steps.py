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
# bar) above the proxy that replaced it (`images.npy`). The logic lives in
# `proxy_attention.report.map_figures`; this notebook calls it and saves the figure as
# PDF and PNG.

# %%
import sys
from pathlib import Path

from IPython.display import Image, display

from proxy_attention.params import load_params
from proxy_attention.report.map_figures import steps_figure
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
    parameters = notebook_parameters("proxy_steps", params, pair)
print("kernel interpreter:", sys.executable)
display(parameters)

# %%
fig = steps_figure(**parameters["figure"])
save_figure(fig, Path(parameters["out_dir"]), parameters["name"])
display(Image(filename=f"{parameters['out_dir']}/{parameters['name']}.png"))
