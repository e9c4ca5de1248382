"""The cooperative office's market network (SPEC §13.4): producers it invites, and what it reads
of those who accepted."""
