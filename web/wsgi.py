"""WSGI entry point for gunicorn (``web.wsgi:app``); created lazily by gunicorn import."""
from web.app import create_app

app = create_app()
