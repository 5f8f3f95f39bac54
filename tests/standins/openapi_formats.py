"""Format assertions used by the stand-ins' schema validation.

jsonschema only *annotates* ``format`` unless a checker is given, and its
default ``uri`` check needs an optional package. The formats below are the
ones the LINE and Discord specs use on request fields that the bots fill in;
other formats (``binary``, LINE's odd ``format: "^[0-9]{8}$"``...) are
ignored on purpose.
"""
from __future__ import annotations

import datetime
import re
import uuid
from urllib.parse import urlsplit

from jsonschema import FormatChecker

FORMAT_CHECKER = FormatChecker(formats=())

_SNOWFLAKE = re.compile(r"^(0|[1-9][0-9]*)$")


@FORMAT_CHECKER.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    # LINE's X-Line-Retry-Key: "UUID in hexadecimal format", i.e. the
    # canonical 8-4-4-4-12 form (uuid.UUID alone would also accept braces).
    if not isinstance(value, str):
        return True
    return len(value) == 36 and str(uuid.UUID(value)) == value.lower()


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    # Deliberately loose: LINE accepts tel:, line://, https://line.me/R/...
    # We only reject strings without a scheme or containing whitespace.
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and not re.search(r"\s", value)


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        return False
    datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


@FORMAT_CHECKER.checks("snowflake")
def _is_snowflake(value: object) -> bool:
    if isinstance(value, int):
        return 0 <= value < 2**64
    return not isinstance(value, str) or bool(_SNOWFLAKE.match(value))


@FORMAT_CHECKER.checks("int32")
def _is_int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@FORMAT_CHECKER.checks("int64")
def _is_int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63
