"""`microcourt` refuses to start half-configured and says what is wrong."""

import os
import subprocess
import sys

import pytest


def run_cli(*args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "microcourt.cli", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_unreachable_database_is_named():
    result = run_cli(
        "serve", "--port", "8999", "--no-worker", DATABASE_URL="postgres://nobody@127.0.0.1:1/none"
    )
    assert result.returncode == 2
    assert "cannot reach the database (postgresql)" in result.stderr


def test_an_unreachable_redis_is_named(tmp_path):
    result = run_cli(
        "worker",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 2
    assert "REDIS_URL is set but Redis does not answer" in result.stderr


def test_a_malformed_setting_is_named():
    result = run_cli("serve", MICROCOURT_DEBUG="perhaps")
    assert result.returncode == 2
    assert "MICROCOURT_DEBUG must be true or false" in result.stderr


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_unapplied_migrations_stop_start_up(tmp_path, command):
    result = run_cli(
        command,
        "--no-worker" if command == "serve" else "--batch",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    assert result.returncode == 2
    assert "migrations are not applied" in result.stderr
