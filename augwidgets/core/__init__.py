"""The augmentation engine: parameters, transforms, directory source, generator, datasets.

Nothing in this package imports ipywidgets or IPython.
"""
