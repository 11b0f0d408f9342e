"""Security headers on every response, so a browser refuses what the site never does."""

from flask import Response, current_app

# Everything comes from our own origin: no inline script or style, no third parties.
# frame-ancestors stops click-jacking; form-action and base-uri stop injected markup from
# sending a form or every relative link elsewhere.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

# Features the site never uses; a compromised page cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics")
)

HSTS = "max-age=31536000; includeSubDomains"


def security_headers(site_url: str) -> dict[str, str]:
    """The headers every response carries; HSTS only when the site is served over https."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
    }
    if site_url.startswith("https://"):
        headers["Strict-Transport-Security"] = HSTS
    return headers


def add_security_headers(response: Response) -> Response:
    """after_request: the security headers, unless the view set its own."""
    for name, value in security_headers(current_app.config["SITE_URL"]).items():
        # A view that needs a different policy for one response sets it itself.
        response.headers.setdefault(name, value)
    return response
