"""``microcourt operator create|revoke <username> --reason "…"``: platform operators.

Operators (superusers) are made here and not in /admin/, so that each appointment names its
reason and is in the ledger (issue 13). Django's ``createsuperuser`` still exists but leaves no
ledger entry: use this instead."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from microcourt.core.errors import DomainError
from microcourt.identity import admin_actions


class Command(BaseCommand):
    help = "Appoint (create or promote) or revoke a platform operator, with a recorded reason."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser(
            "create", help="create the account if needed and make it a superuser"
        )
        create.add_argument("username")
        create.add_argument("--reason", required=True, help="why: recorded in the ledger")
        create.add_argument("--email", default="", help="for a new account only")
        revoke = commands.add_parser("revoke", help="take superuser rights away")
        revoke.add_argument("username")
        revoke.add_argument("--reason", required=True, help="why: recorded in the ledger")

    def handle(self, *args, command, username, reason, **options):
        try:
            if command == "create":
                user, created = admin_actions.operator_appoint(
                    username=username, reason=reason, email=options["email"]
                )
            else:
                user = admin_actions.operator_revoke(username=username, reason=reason)
        except DomainError as error:
            raise CommandError(str(error)) from None
        if command == "revoke":
            self.stdout.write(f"{user.username} (user {user.pk}) is no longer an operator.")
        elif created:
            self.stdout.write(
                f"Created operator {user.username} (user {user.pk}). It has no password yet: "
                f"set one with `microcourt changepassword {user.username}`."
            )
        else:
            self.stdout.write(f"{user.username} (user {user.pk}) is now an operator.")
        self.stdout.write(f"Recorded in the ledger with the reason: {reason.strip()}")
