"""Fixtures for the careers tests: a company with a tour, staff clients."""
from __future__ import annotations

import pytest
from careers_helpers import login_as, make_company, make_tour


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Production argon2 costs ~0.4 s per hash; staff logins here need correctness, not cost."""
    from argon2 import PasswordHasher

    from staff import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def company(session):
    return make_company(session)


@pytest.fixture
def tour(session, company):
    return make_tour(session, company)


@pytest.fixture
def ward(app):
    client = app.test_client()
    login_as(client, "ward")
    return client
