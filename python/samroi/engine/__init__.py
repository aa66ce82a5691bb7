"""The segmentation engine: image handling, tiling, embedding cache, prompt -> mask -> polygons."""
