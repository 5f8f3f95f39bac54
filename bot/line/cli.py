"""``monozukuri line richmenu deploy`` and ``monozukuri line richmenu preview DIR``."""
from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    line = subparsers.add_parser("line", help="LINE channel commands")
    line_sub = line.add_subparsers(dest="line_command", required=True)
    menu = line_sub.add_parser("richmenu", help="rich menus (bot/line/richmenus.yaml)")
    menu_sub = menu.add_subparsers(dest="richmenu_command", required=True)
    deploy = menu_sub.add_parser("deploy", help="create/update the rich menus on LINE (safe to re-run)")
    deploy.set_defaults(handler=_deploy)
    preview = menu_sub.add_parser("preview", help="write the rich menu images as PNG files")
    preview.add_argument("out", type=Path, help="folder for the images")
    preview.set_defaults(handler=_preview)


def _deploy(_args) -> int:
    from linebot.v3.messaging.exceptions import ApiException

    from bot.line.client import error_message, is_configured
    from bot.line.richmenu import RichMenuDefinitionError
    from bot.line.richmenu_deploy import deploy
    from core.cli import CommandError, create_app
    from core.db import db

    app = create_app()
    if not is_configured(app.config):
        raise CommandError("LINE is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN")
    with app.app_context():
        try:
            report = deploy(db.session, app.config)
        except RichMenuDefinitionError as exc:
            raise CommandError(f"richmenus.yaml: {exc}") from exc
        except ApiException as exc:
            raise CommandError(f"LINE refused the deploy: {error_message(exc)}") from exc
    print(f"rich menus: created {report.created or 'none'}, reused {report.reused or 'none'}, "
          f"deleted {len(report.deleted)} old; default {report.default_menu_id}; "
          f"{report.relinks_queued} user(s) queued for re-linking")
    return 0


def _preview(args) -> int:
    from bot.line.richmenu import load_definitions
    from bot.line.richmenu_image import menu_image

    args.out.mkdir(parents=True, exist_ok=True)
    for menu in load_definitions():
        data, content_type = menu_image(menu)
        path = args.out / f"richmenu-{menu.key}.{content_type.split('/')[1]}"
        path.write_bytes(data)
        print(path)
    return 0
