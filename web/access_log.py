"""The gunicorn logger of ``monozukuri serve``: no client address is ever written in clear.

Access lines carry a daily keyed tag (core.client_tags) where gunicorn would
print the address, forwarding headers are dropped, and the error log's
"Invalid request from ip=…" lines get the same tag.
"""
from __future__ import annotations

import logging
import re

from gunicorn import glogging

from core.client_tags import client_tag

# Request headers that carry client addresses; shown as "-" if a log format ever names them.
ADDRESS_HEADERS = ("{x-forwarded-for}i", "{x-real-ip}i", "{forwarded}i", "{true-client-ip}i", "{cf-connecting-ip}i")
_IP_IN_MESSAGE = re.compile(r"ip=(.+?)(?=: |\s|$)")


class _AddressFilter(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "ip=" in message:
            record.msg = _IP_IN_MESSAGE.sub(self._tagged, message)
            record.args = ()
        return True

    def _tagged(self, match: re.Match) -> str:
        address = match.group(1)
        return "ip=" + (address if address.startswith("c-") else client_tag(address, self._secret))


class PrivateAddressLogger(glogging.Logger):
    """Set ``secret`` on a subclass (see ``logger_class``) before gunicorn starts."""

    secret = ""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for old in [f for f in self.error_log.filters if isinstance(f, _AddressFilter)]:
            self.error_log.removeFilter(old)  # "gunicorn.error" is process-wide; one filter is enough
        self.error_log.addFilter(_AddressFilter(self.secret))

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = client_tag(atoms.get("h"), self.secret)
        for name in ADDRESS_HEADERS:
            if name in atoms:
                atoms[name] = "-"
        return atoms


def logger_class(secret: str) -> type[PrivateAddressLogger]:
    return type("AppAccessLogger", (PrivateAddressLogger,), {"secret": secret})
