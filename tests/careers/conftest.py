"""Fixtures for the careers tests: a company with a tour, staff clients."""
from __future__ import annotations

import pytest
from careers_helpers import login_as, make_company, make_tour


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
