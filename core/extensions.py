"""Flask extensions, created at import time and bound in ``create_app``."""
from __future__ import annotations

from flask_wtf import CSRFProtect

csrf = CSRFProtect()
