"""Staff console (``/admin``): accounts, audit log, the article editor and workflow.

``web.admin.bp`` is the blueprint. It is loaded on first access (PEP 562
module ``__getattr__``) so that services importing ``web.admin.audit`` or
``web.admin.auth`` (content.publishing, notifications, ...) do not pull in
the console views, which import those services back.

Other domains add their console pages (broadcasts, KPIs) as their own
blueprints under ``/admin/...``, protect them with
``web.admin.auth.staff_required`` and extend ``admin/base.html``.
"""
from __future__ import annotations


def __getattr__(name: str):
    if name == "bp":
        from web.admin.blueprint import bp

        return bp
    raise AttributeError(f"module 'web.admin' has no attribute {name!r}")
