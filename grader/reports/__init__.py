"""Renderers: each turns the shared result objects into one output format, and nothing else."""
