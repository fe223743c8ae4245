"""Dependencies point one way (ARCHITECTURE §3): checked by import-linter on every run."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint(cwd: Path, config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports;"
            f"sys.exit(lint_imports(config_filename={str(config)!r}))",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_code_base_keeps_its_layers():
    result = lint(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Dependencies point one way" in result.stdout


def test_the_check_catches_core_importing_a_domain_app(tmp_path):
    pkg = tmp_path / "microcourt"
    for sub in ("core", "cases", "courts", "identity", "ledger", "notifications"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    for top in ("cli", "urls", "api", "asgi", "routing", "demo", "shell"):
        (pkg / f"{top}.py").write_text("")
    (pkg / "core" / "bad.py").write_text("from microcourt.cases import something\n")
    config = tmp_path / "pyproject.toml"
    original = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config.write_text(original[original.index("[tool.importlinter]") :], encoding="utf-8")
    result = lint(tmp_path, config)
    assert result.returncode != 0
    assert "microcourt.core.bad -> microcourt.cases" in result.stdout
