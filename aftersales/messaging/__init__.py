"""The outbox: every message to a customer, on every channel, sent once."""
