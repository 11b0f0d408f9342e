"""The public site: home, blog, authors, events, feeds, sitemap.

The blueprint lives in `routes`; importing `queries` imports no view."""
