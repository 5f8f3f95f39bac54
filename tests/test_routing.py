"""Ids in URLs beyond what the database can hold are 404s, never errors."""
import pytest


@pytest.mark.parametrize("path", [
    "/events/99999999999999999999999",
    "/events/2147483648",
    "/posts/99999999999999999999",
])
def test_out_of_range_ids_are_not_found(client, path):
    assert client.get(path).status_code == 404
