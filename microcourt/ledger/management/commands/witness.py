"""``microcourt witness``: cosign a log's checkpoints after checking it never rewrote history."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from microcourt.ledger.witness import Witness, WitnessError, WitnessRefusal, load_or_create_key


class Command(BaseCommand):
    help = "Witness a ledger: verify its checkpoints' signatures and consistency, then cosign."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--log", required=True, help="the log's base URL, e.g. https://court.example"
        )
        parser.add_argument("--name", required=True, help="this witness's key name")
        parser.add_argument(
            "--key-file", required=True, type=Path, help="base64 Ed25519 seed (made if missing)"
        )
        parser.add_argument(
            "--state-file", required=True, type=Path, help="the largest checkpoint seen"
        )
        parser.add_argument("--log-key", help="pin the log's verifier key instead of fetching it")
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")

    def handle(self, *args, log, name, key_file, state_file, log_key, once, interval, **options):
        key, created = load_or_create_key(key_file)
        witness = Witness(log=log, name=name, key=key, state_file=state_file, log_key=log_key)
        if created:
            self.stdout.write(f"new witness key; give the log this cosigner key: {witness.vkey}")
        while True:
            try:
                self.stdout.write(witness.run_once())
            except WitnessRefusal as refusal:
                self.stderr.write(f"REFUSED: {refusal}")
                raise SystemExit(1) from None
            except WitnessError as error:
                if once:
                    raise CommandError(str(error), returncode=2) from None
                self.stderr.write(f"retrying: {error}")
            if once:
                return
            time.sleep(interval)
