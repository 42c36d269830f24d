"""Saliency maps from many attribution methods behind one call, batched, on the model's device.

Every method's raw attribution is made comparable the same way: ReLU (|.| for signed pixel
attributions, summed over colour channels), bilinear upsampling to the image size, per-image
min-max to [0, 1].
"""

from .layers import find_target_layer
from .normalise import normalise_maps
from .registry import METHODS, MethodSpec, get_method, saliency_maps

__all__ = [
    "METHODS",
    "MethodSpec",
    "find_target_layer",
    "get_method",
    "normalise_maps",
    "saliency_maps",
]
