"""Every setting is declared once (core.settings), typed and validated when the app starts."""
from __future__ import annotations

import pytest

from core import config, settings
from testkit import PROJECT_ROOT


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for setting in settings.SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    return monkeypatch


def test_defaults_are_typed(clean_env):
    values = config.from_environment()
    assert values["PORT"] == 8000 and values["KPI_RAW_RETENTION_DAYS"] == 90
    assert values["SMTP_STARTTLS"] is True and values["BROADCAST_POLL_SECONDS"] == 5.0
    assert values["QUIET_HOURS"] == "21:00-08:00"


def test_values_from_the_environment_are_converted(clean_env):
    clean_env.setenv("BROADCAST_BATCH_SIZE", "50")
    clean_env.setenv("SMTP_STARTTLS", "0")
    clean_env.setenv("QUIET_HOURS", "")  # empty disables quiet hours rather than meaning "default"
    values = config.from_environment()
    assert (values["BROADCAST_BATCH_SIZE"], values["SMTP_STARTTLS"], values["QUIET_HOURS"]) == (50, False, "")


def test_every_bad_value_is_reported_at_start_by_name(clean_env):
    clean_env.setenv("PORT", "eighty")
    clean_env.setenv("KPI_RAW_RETENTION_DAYS", "0")
    clean_env.setenv("LINE_API_BASE_URL", "api.line.example")
    clean_env.setenv("QUIET_HOURS", "夜")
    with pytest.raises(config.ConfigError) as failure:
        config.from_environment()
    message = str(failure.value)
    for name in ("PORT", "KPI_RAW_RETENTION_DAYS", "LINE_API_BASE_URL", "QUIET_HOURS"):
        assert name in message


def test_overrides_win_and_are_not_read_from_the_environment(clean_env):
    clean_env.setenv("PORT", "not a number")
    assert config.from_environment({"PORT": 9000})["PORT"] == 9000


def test_the_readme_documents_every_declared_setting():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in settings.SETTINGS if f"`{s.name}`" not in readme]
    assert missing == []
