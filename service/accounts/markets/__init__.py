"""Export markets: the countries and unions shipments go to (SPEC §13.3)."""
