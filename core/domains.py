"""Finding a domain's optional modules (``cli``, ``jobs``) by the file vocabulary."""
from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from types import ModuleType


def optional_modules(domains: Iterable[str], suffix: str) -> Iterator[ModuleType]:
    """``<domain>.<suffix>`` for every domain that has one, in the domains' order."""
    for domain in domains:
        name = f"{domain}.{suffix}"
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency inside the module
                raise
