"""``microcourt ledger audit|integrate|checkpoint|key``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from microcourt.ledger import actions, keys, selectors
from microcourt.ledger.audit import audit


class Command(BaseCommand):
    help = "Ledger maintenance: audit recomputes every hash and signature."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser(
            "audit",
            help="recompute every leaf, node, checkpoint and the state; name the first divergence",
        )
        commands.add_parser("integrate", help="put every pending entry into the tree")
        commands.add_parser(
            "checkpoint", help="sign a checkpoint for the current size and print it"
        )
        commands.add_parser("key", help="print the log's verifier key")

    def handle(self, *args, command, **options):
        if command == "audit":
            result = audit()
            self.stdout.write(str(result))
            if result.pending:
                self.stdout.write(f"({result.pending} entries not yet in the tree)")
            if not result.ok:
                raise SystemExit(1)
        elif command == "integrate":
            self.stdout.write(f"integrated {actions.integrate(full=True)} entries")
        elif command == "checkpoint":
            checkpoint = actions.checkpoint_for_size(selectors.size())
            self.stdout.write(selectors.checkpoint_note(checkpoint), ending="")
        else:
            self.stdout.write(keys.vkey())
