"""The signed-cookie session, without building its signer for visitors who have no session.

Public pages are read by visitors without a session cookie; Flask's interface derives the
signing key (an HMAC serializer) on every request before it even looks for the cookie.
Without the cookie the answer is an empty session either way, so it is given at once.
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
