"""``python -m benchmarks`` lists the benchmarks; ``python -m benchmarks NAME …`` runs them."""

from __future__ import annotations

import ast
import pkgutil
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> dict[str, str]:
    """Every benchmark module and the first line of its docstring."""
    found = {}
    for module in pkgutil.iter_modules([str(HERE)]):
        if module.name.startswith("_"):
            continue
        source = (HERE / f"{module.name}.py").read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        found[module.name] = doc.strip().splitlines()[0] if doc.strip() else ""
    return found


def main(argv: list[str]) -> int:
    benchmarks = available()
    if not argv:
        print("benchmarks (run with `python -m benchmarks NAME` or `python -m benchmarks.NAME`):")
        for name, what in sorted(benchmarks.items()):
            print(f"  {name:<10} {what}")
        return 0
    unknown = [name for name in argv if name not in benchmarks]
    if unknown:
        print(
            f"unknown benchmark {unknown[0]!r}; known: {', '.join(sorted(benchmarks))}",
            file=sys.stderr,
        )
        return 2
    status = 0
    for name in argv:
        saved, sys.argv = sys.argv, [f"benchmarks.{name}"]
        try:
            runpy.run_module(f"benchmarks.{name}", run_name="__main__", alter_sys=True)
        except SystemExit as exit_:
            status |= exit_.code if isinstance(exit_.code, int) else 1
        finally:
            sys.argv = saved
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
