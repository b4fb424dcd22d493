"""Thin ipywidgets views over traitlets models."""
