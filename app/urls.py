"""Absolute links on SITE_URL, for emails, calendar files and feeds."""

from flask import current_app, has_request_context, url_for


def site_url_for(endpoint: str, **values) -> str:
    """An absolute URL on SITE_URL, inside a request or not (CLI, the sender thread)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["SITE_URL"] + path
