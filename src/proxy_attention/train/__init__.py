"""Training: the epoch loop, the schedule runner and the metrics it records."""
