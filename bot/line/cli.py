"""``monozukuri line richmenu deploy``, ``monozukuri line richmenu preview DIR`` and ``monozukuri line liff deploy``."""
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
    liff = line_sub.add_parser("liff", help="LIFF forms inside LINE (bot/line/liff_apps.py)")
    liff_sub = liff.add_subparsers(dest="liff_command", required=True)
    liff_deploy = liff_sub.add_parser("deploy", help="create/update the LIFF apps on LINE (safe to re-run)")
    liff_deploy.set_defaults(handler=_liff_deploy)


def _line_app():
    """The app, or a clear error when the LINE channel is off (deploys talk to LINE)."""
    from bot.line.client import is_configured
    from core.cli import CommandError, create_app

    app = create_app()
    if not is_configured(app.config):
        raise CommandError("LINE is off: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN")
    return app


def _deploy(_args) -> int:
    from linebot.v3.messaging.exceptions import ApiException

    from bot.line.client import error_message
    from bot.line.richmenu import RichMenuDefinitionError
    from bot.line.richmenu_deploy import deploy
    from core.cli import CommandError
    from core.db import db

    app = _line_app()
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


def _liff_deploy(_args) -> int:
    from linebot.v3.liff import ApiException

    from bot.line.liff_apps import LiffDeployError, deploy
    from core.cli import CommandError
    from core.db import db

    app = _line_app()
    with app.app_context():
        try:
            report = deploy(db.session, app.config)
        except LiffDeployError as exc:
            raise CommandError(str(exc)) from exc
        except ApiException as exc:
            raise CommandError(f"LINE refused the LIFF deploy: {exc.status} {str(exc.body)[:300]}") from exc
    print(f"LIFF apps: created {report.created or 'none'}, updated {report.updated or 'none'}, "
          f"unchanged {report.unchanged or 'none'}; ids {report.ids}")
    if not app.config.get("LINE_LOGIN_CHANNEL_ID"):
        print("note: LINE_LOGIN_CHANNEL_ID is not set, so the forms stay off until it is")
    return 0
