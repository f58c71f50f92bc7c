"""Shared test helpers: factories for organisations and users, the jurisdiction registry."""
