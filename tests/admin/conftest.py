"""Fixtures for the staff console: an account per role, logged-in clients."""
from __future__ import annotations

import pytest
from console_helpers import login, make_staff


@pytest.fixture
def ward(app):
    return make_staff("ward")


@pytest.fixture
def contractor(app):
    return make_staff("contractor")


@pytest.fixture
def admin_user(app):
    return make_staff("admin")


@pytest.fixture
def ward_client(client, ward):
    assert login(client, ward.email).status_code == 302
    return client


@pytest.fixture
def contractor_client(client, contractor):
    assert login(client, contractor.email).status_code == 302
    return client


@pytest.fixture
def admin_client(client, admin_user):
    assert login(client, admin_user.email).status_code == 302
    return client
