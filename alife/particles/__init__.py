"""Soups of self-applying networks (Gabor, Illium et al. 2019): weightwise and aggregating
particles, their compiled kernel and numpy twin, and the particle soup."""
