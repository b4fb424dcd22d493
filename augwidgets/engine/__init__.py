"""The legacy-compatible ``ImageDataGenerator``: its arguments, the generator, its iterators.

Nothing in this package imports ipywidgets or IPython.
"""
