"""The core and the neutral messages stay platform-neutral: no module imports linebot or discord."""
from __future__ import annotations

import ast
from pathlib import Path

import bot.core
import messages

CORE_DIR = Path(bot.core.__file__).resolve().parent
MESSAGES_DIR = Path(messages.__file__).resolve().parent
FORBIDDEN = ("linebot", "discord")


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module", "__import__"
        ) and node.args and isinstance(node.args[0], ast.Constant):
            names.add(str(node.args[0].value))
    return names


def test_core_modules_exist():
    assert {p.name for p in CORE_DIR.rglob("*.py")} >= {"engine.py", "testing.py", "privacy.py"}
    assert {p.name for p in MESSAGES_DIR.rglob("*.py")} >= {"replies.py", "limits.py", "text.py"}


def test_no_core_or_messages_module_imports_a_platform_sdk():
    offenders = {
        str(path): sorted(name for name in _imported_modules(path) if name.split(".")[0] in FORBIDDEN)
        for folder in (CORE_DIR, MESSAGES_DIR) for path in folder.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_scan_would_notice_an_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import linebot.v3\nfrom discord import ui\nimport importlib\nimportlib.import_module('linebot')\n")
    assert {"linebot.v3", "discord", "linebot"} <= _imported_modules(sample)
