"""The console navigation: only what the logged-in role may open.

A link is shown when the page's own ``staff_required`` roles let the staff member
in, so the menu can never lead to a 403. Domains add their pages from
``init_app`` (``add_nav_item``); pages whose blueprint is not installed are skipped.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from staff.auth import current_staff, has_role

EXTENSION_KEY = "monozukuri.console_nav"


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    order: int


def add_nav_item(app, label: str, endpoint: str, order: int) -> None:
    items = app.extensions.setdefault(EXTENSION_KEY, [])
    items.append(NavItem(label, endpoint, order))
    items.sort(key=lambda item: item.order)


def may_open(staff, endpoint: str) -> bool:
    view = current_app.view_functions.get(endpoint)
    if staff is None or view is None:
        return False
    return has_role(staff, getattr(view, "required_roles", ()))


def console_links() -> list[tuple[str, str]]:
    """(label, url) of every console page the current staff member may open."""
    staff = current_staff()
    items = current_app.extensions.get(EXTENSION_KEY, [])
    return [(item.label, url_for(item.endpoint)) for item in items if may_open(staff, item.endpoint)]


def install(app) -> None:
    app.add_template_global(console_links, "console_links")
    app.add_template_global(lambda endpoint: may_open(current_staff(), endpoint), "staff_may_open")
    app.add_template_global(waiting_for_me, "waiting_for_me")


# --- what waits for the logged-in person (console badge) -----------------------------------

WAITING_KEY = "monozukuri.console_waiting"


@dataclass(frozen=True)
class Waiting:
    items: list[tuple[str, str]]  # (Japanese description, console URL)

    @property
    def total(self) -> int:
        return len(self.items)


def add_waiting_source(app, source) -> None:
    """``source(session, staff) -> [(description, url), ...]``; domains add theirs in init_app."""
    app.extensions.setdefault(WAITING_KEY, []).append(source)


def waiting_for(session, staff) -> Waiting:
    if staff is None:
        return Waiting([])
    items = []
    for source in current_app.extensions.get(WAITING_KEY, []):
        items.extend(source(session, staff))
    return Waiting(items)


def waiting_for_me() -> Waiting:
    from core.db import db

    return waiting_for(db.session, current_staff())
