"""The GS1-conformant resolver for Radura's own GTINs and the linksets it answers with
(SPEC §6.1)."""
