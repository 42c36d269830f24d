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
# # Proxy images at several thresholds and weights
#
# A few images, the control model's saliency maps (the pair's proxy method) and the proxy
# images `proxy_attention.proxy.images.proxy_images` makes from them for every threshold and
# weight of `figures.gallery`.

# %%
from IPython.display import Image

from proxy_attention.report.map_figures import Gallery, gallery_figure
from proxy_attention.report.notebook_figures import figure_parameters, save_notebook_figure

# %% tags=["parameters"]
# Papermill injects these; run by hand from the project root, the first pair is drawn.
params_file = "params.yaml"
proxy_run = None
parameters = None

# %%
parameters = figure_parameters("proxy_gallery", params_file, proxy_run, parameters)
Image(save_notebook_figure(gallery_figure(Gallery(**parameters["figure"])), parameters))
