"""A producer's customers: who buys its batches, so a recall can reach them (SPEC §13.1)."""

# Who may read whom a batch went to (customers, shipments, the trace report, the shipping events
# of the audit log): the producer its own, a regulator or an administrator all. Never the
# facility's staff, nor a market network, which sees shipments only as counts (SPEC §13.4).
BUYER_READERS = frozenset({"producer", "regulator", "admin"})
