"""Memoised url_for in templates: the same paths as Flask's, per script root, per app."""
from __future__ import annotations

from flask import render_template_string
from flask import url_for as flask_url_for

TEMPLATE = ("{{ url_for('archive.category', category='feature') }} {{ url_for('public.top') }} "
            "{{ url_for('archive.category', category='feature', page=2) }} "
            "{{ url_for('public.top', _external=True) }} {{ url_for('public.top', _anchor='x') }}")


def test_template_url_for_matches_flask_and_follows_the_script_root(app):
    for root in ("", "/ota"):
        with app.test_request_context("/", base_url=f"http://testserver.local{root}"):
            assert app.jinja_env.globals["url_for"] is not flask_url_for
            rendered = render_template_string(TEMPLATE).split()
            expected = [flask_url_for("archive.category", category="feature"), flask_url_for("public.top"),
                        flask_url_for("archive.category", category="feature", page=2),
                        flask_url_for("public.top", _external=True), flask_url_for("public.top", _anchor="x")]
            assert rendered == expected
            assert rendered[1] == f"{root}/"
