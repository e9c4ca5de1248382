"""Public verification of labels (SPEC §6): the scan page, JSON and GS1 linkset, the scan log.

The hot path reads no database: a scanned URI is parsed once (`controller`), its signature checked
(Ed25519, or the token already verified for that very message), its label view taken from the
in-process cache (`cache`, emptied by PostgreSQL NOTIFY through `service.core.listener`), its scan
counted in memory (`tally`) and queued for the next COPY (`scan_log`). A recall reaches every
process within about a second; without a LISTEN connection the cache is not used at all.
"""
