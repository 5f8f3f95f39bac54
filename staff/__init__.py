"""Staff accounts, sign-in, roles and the audit log: the console's own floor.

Other domains protect their console pages with ``staff.auth.staff_required`` and
record their actions with ``staff.audit.record``.
"""
from __future__ import annotations


def init_app(app) -> None:
    from staff import console, job_views, navigation, views  # noqa: F401  (job_views adds routes)

    console.install(app)
    navigation.install(app)
    app.register_blueprint(views.bp)
