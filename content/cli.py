"""``monozukuri content import PATH`` and ``monozukuri content build-pages``."""
from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    content = subparsers.add_parser("content", help="content commands")
    sub = content.add_subparsers(dest="content_command", required=True)
    imp = sub.add_parser("import", help="import Markdown articles (a file or a folder)")
    imp.add_argument("path", type=Path)
    imp.add_argument("--force", action="store_true",
                     help="also overwrite articles edited in the console since their last import "
                          "(the console version stays in the article's revisions)")
    imp.set_defaults(handler=_import)
    build = sub.add_parser("build-pages", help="render the stored article parts and cards that are missing or "
                                               "stale (after a bulk import or a template change)")
    build.set_defaults(handler=_build_pages)


def _build_pages(_args) -> int:
    from content.page_parts import build_all
    from core.cli import create_app

    articles, pages = build_all(create_app())
    print(f"stored parts up to date for {articles} article(s) and {pages} category page(s)")
    return 0


def _import(args) -> int:
    from content.frontmatter import ImportError_
    from content.importer import import_path
    from core.cli import CommandError, create_app
    from core.db import db

    app = create_app()
    with app.app_context():
        try:
            report = import_path(db.session, args.path, Path(app.instance_path) / "media", force=args.force)
        except ImportError_ as exc:
            raise CommandError(f"import aborted, nothing was written: {exc}") from exc
    print_skips(report)
    print(
        f"imported {len(report.created)} new and {len(report.updated)} updated article(s), "
        f"{report.companies} company record(s)"
    )
    return 0


def print_skips(report) -> None:
    """One clear line per article left alone (or overwritten on --force)."""
    for slug in report.skipped:
        print(f"skipped {slug}: edited in the console since its last import "
              "(管理画面で編集済みのため上書きしません; --force で上書き)")
    for slug in report.forced:
        print(f"overwrote {slug}: it had console edits (kept as a revision; restore it from the console)")
