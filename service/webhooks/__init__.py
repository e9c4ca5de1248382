"""Webhooks: endpoints organizations register, the outbox, and the worker that delivers it."""
