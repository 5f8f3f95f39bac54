"""Configuration comes from the environment, with safe local defaults."""
from __future__ import annotations

import logging

import pytest

from core import config
from web.app import create_app, log_channel_status


def test_production_requires_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        create_app()


def test_local_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    first = config.from_environment()["SECRET_KEY"]
    second = config.from_environment()["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    assert config.from_environment()["DATABASE_URL"] == f"sqlite:///{tmp_path / 'monozukuri.sqlite3'}"


def test_heroku_style_postgres_url_uses_psycopg3(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/x")
    assert config.from_environment()["DATABASE_URL"] == "postgresql+psycopg://u:p@db/x"


def test_channels_off_are_reported_once_each(app, caplog):
    with caplog.at_level(logging.INFO, logger="web.app"):
        log_channel_status(app)
    lines = [r.getMessage() for r in caplog.records]
    assert len([line for line in lines if line.startswith("LINE channel: off")]) == 1
    assert len([line for line in lines if line.startswith("Discord channel: off")]) == 1


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"
