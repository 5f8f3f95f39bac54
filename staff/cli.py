"""``monozukuri staff create``: make staff accounts (the first 管理者 included)."""
from __future__ import annotations

import getpass
import sys

from staff.models import ROLES


def register(subparsers) -> None:
    staff = subparsers.add_parser("staff", help="staff console accounts")
    sub = staff.add_subparsers(dest="staff_command", required=True)
    create = sub.add_parser("create", help="create a staff account (password is prompted)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="display name")
    create.add_argument("--role", required=True, choices=sorted(ROLES))
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create.set_defaults(handler=_create)


def read_password(from_stdin: bool) -> str:
    from core.cli import CommandError

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CommandError(
            "パスワードを入力する端末がありません。端末から実行するか、--password-stdin を付けて"
            "パスワードを標準入力で渡してください（例: printf '%s\\n' \"$PASSWORD\" | monozukuri staff create "
            "--email E --name N --role admin --password-stdin）")
    try:
        first = getpass.getpass("Password: ")
        again = getpass.getpass("Password (again): ")
    except EOFError:
        raise CommandError("パスワードの入力が途中で終わりました。もう一度実行してください") from None
    if first != again:
        raise CommandError("passwords do not match")
    return first


def _create(args) -> int:
    from core.cli import CommandError, create_app
    from core.db import db
    from staff.accounts import AccountError, create_account
    from staff.passwords import PasswordPolicyError

    password = read_password(args.password_stdin)
    app = create_app()
    with app.app_context():
        try:
            staff = create_account(db.session, args.email, args.name, args.role, password, actor=None)
            db.session.commit()
        except (AccountError, PasswordPolicyError) as exc:
            db.session.rollback()
            raise CommandError(str(exc)) from exc
        print(f"created staff account {staff.id}: {staff.email} ({ROLES[staff.role]})")
    return 0
