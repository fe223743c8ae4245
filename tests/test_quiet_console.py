"""A quiet console (issue 15): what `make run` prints is what a newcomer needs — the demo
log-ins, the address, and the text messages the local SMS gateway would have sent — not
page after page of PDF-rendering and font-subsetting chatter or a line per request.

The settings and commands are those of `make run` (settings.dev, `microcourt demo`,
`microcourt serve`), on a data directory of the test's own."""

from __future__ import annotations

import re
import time
import urllib.request

import pytest

from tests.live_server import live_server

pytestmark = pytest.mark.e2e  # starts the real server

NOISE = re.compile(r"\bINFO\b|weasyprint|fontTools|\"GET /", re.IGNORECASE)


def test_make_run_prints_the_log_ins_the_address_and_the_text_messages(tmp_path):
    with live_server(tmp_path, ready="/healthz") as live:
        demo = live.run("demo", timeout=300)
        assert demo.returncode == 0, demo.stderr
        printed = demo.stdout + demo.stderr
        # The demo renders receipts and notices as PDFs: none of that reaches the console.
        assert not NOISE.search(printed), printed
        assert "microcourt-demo" in printed  # the password …
        for username in ("demo_citizen", "demo_judge", "demo_filing"):
            assert username in printed  # … and the log-ins

        # The server's worker sends the demo's text messages; each is one line on the console.
        log = live.data / "server.log"
        deadline = time.monotonic() + 60
        while "LOCAL SMS" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        for path in ("/", "/accounts/login/"):  # requests are not logged one by one
            with urllib.request.urlopen(live.base + path, timeout=10) as response:
                assert response.status == 200
        time.sleep(1)
        console = log.read_text()
    assert f"microcourt serving on {live.base}/" in console
    assert re.search(r"\[本地短信·未发往手机 LOCAL SMS, not sent\] to 138\*{4}\d{4}", console)
    assert not NOISE.search(console), console
