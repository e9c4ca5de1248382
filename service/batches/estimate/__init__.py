"""The shelf-life preview (SPEC §3.4): the date a treatment would give, for the API and the
console."""
