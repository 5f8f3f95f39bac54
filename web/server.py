"""Run the app under gunicorn from Python (used by ``monozukuri serve``)."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication

from web.access_log import logger_class


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app


def run_gunicorn(app, host: str, port: int, workers: int) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        "threads": 4,
        "worker_class": "gthread",
        "accesslog": "-",
        # Client addresses appear only as a daily keyed tag (never in clear).
        "logger_class": logger_class(app.config["SECRET_KEY"]),
        "timeout": 30,
    }
    _Gunicorn(app, options).run()
