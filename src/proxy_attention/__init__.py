"""Proxy Attention: saliency-guided data augmentation for image classifiers."""

__version__ = "0.1.0"
