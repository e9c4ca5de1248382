"""The facility's work on a batch: receipt, treatment with its doses, QA release and reject, its
queues and pages."""
