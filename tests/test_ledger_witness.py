"""Log and witness as two processes, the way another court would witness ours: the real server
(`microcourt serve`) on its own SQLite data directory, entries added by a third process, and
`microcourt witness --once` run twice; the served checkpoint then carries the witness's
cosignature, and a witness pinned to a forged log key refuses."""

from __future__ import annotations

import hashlib
import re
import subprocess
import time
from pathlib import Path

import pytest

import microcourt_verify as verify
from microcourt.ledger import notes
from tests.live_server import CLI, ROOT, get, live_server

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "court-a.test/ledger"
WITNESS = "witness.court-b.test"

ADD_ENTRIES = """
from django.db import transaction
from microcourt.core.actor import Actor
from microcourt.ledger import actions
with transaction.atomic():
    for n in range({count}):
        actions.record(
            code=9001,
            actor=Actor.system("witness test"),
            case_id=n,
            subject_digest=actions.digest_of(str(n).encode()),
        )
"""


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    data = tmp_path_factory.mktemp("ledger-log")
    witness_key = notes.generate_signing_key()
    (data / "witness.key").write_text(notes.private_key_to_base64(witness_key))
    witness_vkey = notes.vkey_for(WITNESS, witness_key, cosigner=True)
    with live_server(
        data,
        ready="/api/v1/ledger/key",
        worker=False,
        MICROCOURT_LEDGER_ORIGIN=ORIGIN,
        MICROCOURT_LEDGER_WITNESSES=witness_vkey,
    ) as live:
        key = get(f"{live.base}/api/v1/ledger/key")
        yield {
            "base": live.base,
            "env": live.env,
            "data": data,
            "key": key,
            "witness_vkey": witness_vkey,
        }


def add_entries(log, count: int) -> None:
    """A third process writes to the same data directory, as an action would."""
    result = subprocess.run(
        [*CLI, "shell", "-c", ADD_ENTRIES.format(count=count)],
        env=log["env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def wait_for_size(log, size: int) -> None:
    """Checkpoints are signed at most once a second: wait for one covering ``size``."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        note = get(f"{log['base']}/api/v1/ledger/checkpoint")
        if verify.verify_checkpoint(note, log["key"]).size >= size:
            return
        time.sleep(0.2)
    raise AssertionError(f"no checkpoint of size {size} within 10 s")


def witness(log, *extra: str, state: str = "witness.json") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in log["env"].items() if not k.startswith("MICROCOURT_LEDGER")}
    return subprocess.run(
        [
            *CLI,
            "witness",
            "--log",
            log["base"],
            "--name",
            WITNESS,
            "--key-file",
            str(log["data"] / "witness.key"),
            "--state-file",
            str(log["data"] / state),
            "--once",
            *extra,
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_witness_process_cosigns_the_logs_checkpoints(log):
    assert log["key"].startswith(f"{ORIGIN}+")
    add_entries(log, 3)
    wait_for_size(log, 3)
    first = witness(log, "--log-key", log["key"])
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"cosigned {ORIGIN} at tree size 3" in first.stdout

    add_entries(log, 4)
    wait_for_size(log, 7)
    second = witness(log, "--log-key", log["key"])
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"cosigned {ORIGIN} at tree size 7" in second.stdout  # consistency 3 → 7 verified

    served = get(f"{log['base']}/api/v1/ledger/checkpoint")
    checkpoint = verify.verify_checkpoint(served, log["key"])
    assert checkpoint.size == 7
    assert verify.verify_cosignature(served, log["witness_vkey"]) > 1_700_000_000
    earlier = get(f"{log['base']}/api/v1/ledger/checkpoint?tree_size=3")
    verify.verify_cosignature(earlier, log["witness_vkey"])


def test_the_audit_command_checks_the_logs_database(log):
    result = subprocess.run(
        [*CLI, "ledger", "audit"],
        env=log["env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.fullmatch(r"OK \d+ entries", result.stdout.strip().splitlines()[0])


def test_the_receipt_and_verify_pages_fit_a_360_px_phone(log):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is missing: run `make test` (it installs it)")
    add_entries(log, 1)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_context(
            viewport={"width": 360, "height": 740}, is_mobile=True
        ).new_page()
        for path in ("/ledger/receipts/0/", "/ledger/verify/"):
            page.goto(log["base"] + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        page.goto(log["base"] + "/ledger/receipts/0/")
        assert page.locator(".mc-verdict_ok").is_visible()
        assert page.locator(".mc-qr svg").is_visible()
        page.goto(log["base"] + "/ledger/verify/")
        page.fill("#id_sha256", hashlib.sha256(b"0").hexdigest())  # entry 0's file
        page.click(".mc-ledger button[type=submit]")
        page.wait_for_selector("#results .weui-cells__title")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        browser.close()


def test_a_witness_pinned_to_a_forged_log_key_refuses(log):
    add_entries(log, 1)
    forged = notes.vkey_for(ORIGIN, notes.generate_signing_key())
    result = witness(log, "--log-key", forged, state="forged.json")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("REFUSED: the checkpoint does not verify")
    assert not (log["data"] / "forged.json").exists()
