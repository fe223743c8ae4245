"""The ledger's settings: production will not start without the log's key; malformed values
stop start-up naming the variable; development makes a key once, in a 0600 file."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from microcourt.ledger import keys, notes

ROOT = Path(__file__).resolve().parents[3]
KEY32 = base64.b64encode(bytes(range(32))).decode()


def start(settings_module: str, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": settings_module, **environ}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def production_environment() -> dict[str, str]:
    """Everything prod.py requires, with plausible values (found in its source, so a new
    required secret elsewhere does not break this test)."""
    source = (ROOT / "microcourt/settings/prod.py").read_text(encoding="utf-8")
    environ = {"MICROCOURT_ALLOWED_HOSTS": "court.example"}
    for name in re.findall(r'env\.str\("([A-Z_]+)", required=True\)', source):
        environ[name] = KEY32
    environ["MICROCOURT_SECRET_KEY"] = "x" * 64
    environ["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    return environ


def test_production_refuses_to_start_without_the_ledger_key(tmp_path):
    environ = production_environment()
    environ["MICROCOURT_DATA_DIR"] = str(tmp_path)
    assert start("microcourt.settings.prod", **environ).returncode == 0
    del environ["MICROCOURT_LEDGER_KEY"]
    refused = start("microcourt.settings.prod", **environ)
    assert refused.returncode != 0
    assert "MICROCOURT_LEDGER_KEY must be set" in refused.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MICROCOURT_LEDGER_KEY", "not base64!", "MICROCOURT_LEDGER_KEY must be base64"),
        ("MICROCOURT_LEDGER_KEY", base64.b64encode(b"short").decode(), "32-byte seed"),
        ("MICROCOURT_LEDGER_ORIGIN", "court example/ledger", "MICROCOURT_LEDGER_ORIGIN"),
        ("MICROCOURT_LEDGER_WITNESSES", "w+00000000+AQ==", "MICROCOURT_LEDGER_WITNESSES"),
        (
            "MICROCOURT_LEDGER_WITNESSES",
            notes.vkey_for("w.example", notes.private_key_from_base64(KEY32)),
            "not a witness cosigner key",
        ),
    ],
)
def test_malformed_ledger_settings_stop_start_up(tmp_path, name, value, message):
    result = start("microcourt.settings.dev", MICROCOURT_DATA_DIR=str(tmp_path), **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_development_makes_one_key_in_a_private_file(settings, tmp_path):
    settings.LEDGER_KEY = ""
    settings.LEDGER_KEY_FILE = tmp_path / "ledger-key"
    found = []

    def load() -> None:
        found.append(keys._development_key(tmp_path / "ledger-key"))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({notes.vkey_for("x", key) for key in found}) == 1  # everyone agrees
    assert os.stat(tmp_path / "ledger-key").st_mode & 0o777 == 0o600
    assert notes.vkey_for(settings.LEDGER_ORIGIN, found[0]) == keys.vkey()
    assert list(tmp_path.iterdir()) == [tmp_path / "ledger-key"]
