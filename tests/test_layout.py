"""Repository conventions that keep the test suite collectable."""
from collections import Counter

from testkit import PROJECT_ROOT


def test_test_module_basenames_are_unique():
    # Test folders are not packages: two test_x.py files would shadow each other.
    names = Counter(
        path.name for path in (PROJECT_ROOT / "tests").rglob("*.py")
        if path.name not in ("conftest.py", "__init__.py")
    )
    assert [name for name, count in names.items() if count > 1] == []
