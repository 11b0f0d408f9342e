"""The HTTP layer: security headers, HTTP caching, and the page cache with its form copy.

headers.py           the security headers every response carries
caching.py           Cache-Control, ETags and 304s; a year for hashed static files
private.py           what belongs to one visitor (private paths, cookies): never shared
generation.py        the content generation token, shared by processes (Redis or a file)
page_store.py        the pages one process keeps (LRU), valid while their generation is current
change_detection.py  which commits bump the generation (SQLAlchemy session events)
middleware.py        the WSGI middleware answering hits, and the hook marking what it keeps
form_copy.py         the registration form from the cache, with fresh per-visitor tokens
"""

from flask import Flask

from app.http import caching, change_detection, form_copy, headers, middleware, page_store


def register(app: Flask) -> None:
    """Install the HTTP layer's hooks, in this order (it matters).

    Flask runs before_request hooks in the order they are registered and after_request
    hooks in the reverse order, so a response meets the after_request hooks below from the
    bottom up: a registration form rendered for a new visitor is handed to the middleware
    with its per-visitor values marked, the middleware is told whether it may keep the page,
    caching headers and 304s are decided, and the security headers come last, so a 304 and
    every kept page (the form's copy too: the middleware keeps the final headers) carry them.
    """
    app.after_request(headers.add_security_headers)
    app.after_request(caching.apply_caching)
    cache = page_store.page_cache_for(app)
    if cache is None:  # PAGE_CACHE_SECONDS=0: no page cache
        return
    app.extensions[page_store.EXTENSION] = cache
    change_detection.listen_for_writes()
    app.after_request(middleware.mark_storable)
    app.after_request(form_copy.keep_rendered_form)
    middleware.install(app, cache)
