"""Rendering the explorer's preview and captions: NumPy and PIL, no widgets."""
