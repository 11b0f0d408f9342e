"""Helpers the tests share: servers started in production's shape (nginx, TLS)."""
