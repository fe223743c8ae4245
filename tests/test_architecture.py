"""Dependencies point one way (ARCHITECTURE §3): checked by import-linter on every run."""

import re
import subprocess
import sys
import tomllib
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
    """A copy of the contract over a dummy tree with every layer's module, where core
    imports a domain app: the check must fail and name the import."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    modules = {
        name.strip(" ()") for layer in contract["layers"] for name in re.split(r"[|:]", layer)
    }
    for module in modules:
        package = tmp_path.joinpath(*module.split("."))
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
    (tmp_path / "microcourt" / "__init__.py").write_text("")
    (tmp_path / "microcourt" / "core" / "bad.py").write_text(
        "from microcourt.cases import something\n"
    )
    original = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        original[original.index("[tool.importlinter]") :], encoding="utf-8"
    )
    result = lint(tmp_path, tmp_path / "pyproject.toml")
    assert result.returncode != 0
    assert "microcourt.core.bad -> microcourt.cases" in result.stdout
