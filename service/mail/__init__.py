"""Email: the outbox of notices, the worker that sends them over SMTP, and what they say (a
producer's batch notices, password-reset links)."""
