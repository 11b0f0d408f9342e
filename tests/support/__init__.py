"""Helpers shared by the test modules: settings, test data, forms, staff accounts, SMTP, and
servers started in production's shape (nginx with TLS).

Test modules import from here, never from each other; `tests/conftest.py` holds only
fixtures and pytest hooks.
"""
