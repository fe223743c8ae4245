"""Upload of a 500 MB video exhibit: the web process's peak memory and the throughput.

    .venv/bin/python -m benchmarks.upload

A fresh SQLite database in a temporary data directory with the demo data, served by
``microcourt serve --no-worker`` (uvicorn, the ASGI upload guard, the middleware chain) as
`make run` serves it. 张三 (``demo_citizen``) gets a bearer token and submits a video exhibit
of ``BENCH_UPLOAD_MB`` (default 500, the video limit) to her demo case through
``POST /api/v1/cases/{id}/exhibits``: a real MP4 header and then zeros, sent in 1 MiB chunks
with its Content-Length. The web process's resident memory is read from
``/proc/<pid>/status`` every 20 ms; idle is its RSS after a first request.

Goal (issue 14): peak RSS under 100 MB above idle. Before issue 14 a 200 MB video took the
web process from 207 to 606 MiB (the whole body in memory).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import live_server  # noqa: E402

SIZE_MB = int(os.environ.get("BENCH_UPLOAD_MB", "500"))
CHUNK = 1024 * 1024
GOAL_MB = 100
BOUNDARY = "----microcourt-bench-boundary"
# ftyp box: python-magic and our sniffing take it as video/mp4.
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _server_pid(port: int) -> int:
    """The process listening on the port (``serve`` runs uvicorn in its own process)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inode = fields[9]
    assert inode, "no listening socket"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return int(pid)
        except OSError:
            continue
    raise RuntimeError("listening process not found")


def _json(base: str, path: str, *, token: str = "", body: dict | None = None) -> object:
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return json.load(response)


def _multipart_parts(size: int) -> tuple[bytes, bytes]:
    fields = {"name": "庭审现场录像", "source": "原告自行拍摄", "purpose": "证明借款交付过程"}
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="video.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    return head, f"\r\n--{BOUNDARY}--\r\n".encode()


def _body(size: int):
    head, tail = _multipart_parts(size)
    yield head
    yield MP4_HEAD
    sent, zeros = len(MP4_HEAD), bytes(CHUNK)
    while sent < size:
        piece = min(CHUNK, size - sent)
        yield zeros if piece == CHUNK else zeros[:piece]
        sent += piece
    yield tail


def main() -> int:
    size = SIZE_MB * CHUNK
    with (
        tempfile.TemporaryDirectory(prefix="mc-bench-upload-") as data,
        live_server(Path(data), ready="/api/v1/ledger/key", worker=False, demo=True) as server,
    ):
        port = int(server.base.rsplit(":", 1)[1])
        pid = _server_pid(port)
        token = _json(
            server.base,
            "/api/v1/auth/token",
            body={"username": "demo_citizen", "password": "microcourt-demo"},
        )["token"]
        cases = _json(server.base, "/api/v1/cases", token=token)
        items = cases["items"] if isinstance(cases, dict) else cases
        case_id = next(c["id"] for c in items if c.get("number"))
        idle = _rss_mb(pid)
        samples: list[float] = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append(_rss_mb(pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        head, tail = _multipart_parts(size)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        started = time.monotonic()
        connection.request(
            "POST",
            f"/api/v1/cases/{case_id}/exhibits",
            body=_body(size),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Content-Length": str(len(head) + size + len(tail)),
            },
        )
        response = connection.getresponse()
        answer = response.read()
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
    peak = max(samples)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    shown = answer[:60].decode(errors="replace")
    print(f"upload: {SIZE_MB} MB video exhibit → HTTP {response.status} {shown}")
    print(f"web process RSS: idle {idle:.0f} MB, peak {peak:.0f} MB, +{peak - idle:.0f} MB")
    print(f"throughput: {SIZE_MB / elapsed:.0f} MB/s ({elapsed:.1f} s)")
    ok = response.status == 201 and peak - idle < GOAL_MB
    print(f"goal: under {GOAL_MB} MB above idle — {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
