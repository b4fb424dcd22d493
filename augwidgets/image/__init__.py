"""Pure image functions: decode, resize, warp and colour, and the one per-image pipeline.

NumPy, PIL and OpenCV only: no Keras, no widgets.
"""
