"""``monozukuri content import PATH``."""
from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    content = subparsers.add_parser("content", help="content commands")
    sub = content.add_subparsers(dest="content_command", required=True)
    imp = sub.add_parser("import", help="import Markdown articles (a file or a folder)")
    imp.add_argument("path", type=Path)
    imp.set_defaults(handler=_import)


def _import(args) -> int:
    from content.frontmatter import ImportError_
    from content.importer import import_path
    from core.cli import CommandError, create_app
    from core.db import db

    app = create_app()
    with app.app_context():
        try:
            report = import_path(db.session, args.path, Path(app.instance_path) / "media")
        except ImportError_ as exc:
            raise CommandError(f"import aborted, nothing was written: {exc}") from exc
    print(
        f"imported {len(report.created)} new and {len(report.updated)} updated article(s), "
        f"{report.companies} company record(s)"
    )
    return 0
