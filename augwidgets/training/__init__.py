"""Training helpers: a history model, live outputs, a thin Keras callback, experiments."""
