"""The scan log: buffered writes, per-label tallies, monthly partitions and their archive, a
batch's scan statistics."""
