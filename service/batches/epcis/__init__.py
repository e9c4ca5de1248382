"""EPCIS 2.0 (SPEC §11): a batch's life cycle as GS1 events, their SQL and their endpoints."""
