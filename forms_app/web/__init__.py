"""What every page and answer of the service shares, whatever its job: error pages (errors.py),
the request log without personal data (requestlog.py), the session cookie (session_cookie.py),
URL converters (converters.py) and the health probes (health.py)."""
