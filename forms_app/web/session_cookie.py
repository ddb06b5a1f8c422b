"""Flask's signed session cookie, with its serializer built once per key instead of on every
request (twice when the session is saved): a tenth of the framework's cost of an API request,
which never uses the session at all."""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app):
        # Keyed on the keys themselves: a test or an operator that changes SECRET_KEY gets a new one.
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]
