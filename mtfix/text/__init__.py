"""Arabic and English document layer: reading, segmentation, normalisation,
numbers, script and repetition checks. Plain functions, no model needed."""
