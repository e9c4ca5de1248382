"""Shipments of released batches to a producer's customers: one step forward (SPEC §13.1)."""
