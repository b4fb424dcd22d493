"""The augmentation explorer: panel wiring, layout and HTML."""
