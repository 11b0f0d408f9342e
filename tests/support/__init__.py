"""Helpers shared by the test modules: settings, test data, forms, staff accounts, SMTP.

Test modules import from here, never from each other; `tests/conftest.py` holds only
fixtures and pytest hooks.
"""
