"""Datasets: sources, the prepared on-disk format, splits and the training-time view."""
