"""Write the part of WeUI our pages use: `make` runs this after `npm ci` (Makefile).

WeUI's full sheet (node_modules/weui/dist/style/weui.css) is 870 KB, 184 KB minified, and
carries every component of the WeChat design system. Our templates use a few dozen of its
classes. This keeps, from WeUI's own sheet:

- every rule whose selectors name only classes our templates, JavaScript or Python (form
  widgets) use — a selector naming any other WeUI class is dropped from its rule;
- the base rules that name no class (``html``, ``body``, ``*``, ``a``, ``input`` …);
- the CSS variables those rules, our own sheets and templates read (``var(--weui-…)``,
  followed through variables that read other variables), and WeUI's care mode;
- the ``@keyframes`` those rules animate with.

Dropped as well: selectors for WeChat's mini-program root (``.wx-root``, ``page``) and for
the ``data-weui-theme`` attribute, which nothing here sets, and WeUI's dark scheme
(``prefers-color-scheme: dark``): our own sheets are light only, and half the colours dark
made grey text on grey.

    python scripts/weui_subset.py [--weui node_modules/weui/dist/style/weui.css]
        [--source microcourt] [--out build/static/vendor/weui/weui-subset.css]

A class built at run time from pieces (``"weui-btn_" + kind``) is not found: write class
names whole in templates and scripts.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import tinycss2  # WeasyPrint's CSS parser, installed with it
from tinycss2 import ast

ROOT = Path(__file__).resolve().parent.parent
WEUI = ROOT / "node_modules" / "weui" / "dist" / "style" / "weui.css"
OUT = ROOT / "build" / "static" / "vendor" / "weui" / "weui-subset.css"
SOURCES = [ROOT / "microcourt"]
SOURCE_SUFFIXES = {".html", ".js", ".py"}  # not .css: our sheets style classes, not use them

CLASS_IN_SOURCE = re.compile(r"\bweui-[A-Za-z0-9_-]*[A-Za-z0-9_]")
# WeUI's dark scheme follows the phone's setting; our own sheets (app.css …) are light only,
# and with WeUI's half of the colours dark, text went grey on grey. Drop this when our sheets
# gain a dark scheme.
DARK = re.compile(r"prefers-color-scheme\s*:\s*dark")
CLASS_IN_SELECTOR = re.compile(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)")
VAR_USE = re.compile(r"var\(\s*(--[A-Za-z0-9_-]+)")
# Selectors for WeChat's mini-program runtime or a theme attribute nothing here sets.
# (``:not([data-weui-theme='light'])`` stays: it is how the dark scheme follows the system.)
FOREIGN = re.compile(r"\.wx-root|(?<!:not\()\[data-weui-theme|(^|[\s>+~,(])page($|[\s>+~.:\[,)])")


def scan(sources: Iterable[Path]) -> tuple[set[str], set[str]]:
    """The weui-… class names written in our templates, scripts and Python, and the WeUI
    variables (``var(--weui-…)``) our own sheets and templates read."""
    classes: set[str] = set()
    variables: set[str] = set()
    for source in sources:
        files = [source] if source.is_file() else sorted(source.rglob("*"))
        for path in files:
            if "tests" in path.parts or path.suffix not in {*SOURCE_SUFFIXES, ".css"}:
                continue
            text = path.read_text(encoding="utf-8")
            variables.update(v for v in VAR_USE.findall(text) if v.startswith("--weui-"))
            if path.suffix in SOURCE_SUFFIXES:
                classes.update(CLASS_IN_SOURCE.findall(text))
    return classes, variables


def split_selectors(prelude: list) -> list[str]:
    """A rule's selector list, split on its top-level commas."""
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(current)
            current = []
        else:
            current.append(token)
    selectors.append(current)
    return [" ".join(tinycss2.serialize(s).split()) for s in selectors if s]


def keeps(selector: str, used: set[str]) -> bool:
    if FOREIGN.search(selector):
        return False
    return all(name in used for name in CLASS_IN_SELECTOR.findall(selector))


def declarations(content: list) -> list[tuple[str, str]]:
    out = []
    for item in tinycss2.parse_declaration_list(content, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration":
            continue
        value = " ".join(tinycss2.serialize(item.value).split())
        out.append((item.name if item.name.startswith("--") else item.lower_name, value))
        if item.important:
            out[-1] = (out[-1][0], out[-1][1] + "!important")
    return out


class Subset:
    """Two passes over WeUI's rules: pick the rules, then the variables and keyframes."""

    def __init__(self, css: str, used: set[str], variables: Iterable[str] = ()):
        self.rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        self.used = used
        self.outside_reads = set(variables)

    def _walk(self, rules: list, pick) -> Iterator[str]:
        for rule in rules:
            if isinstance(rule, ast.QualifiedRule):
                yield from pick(rule)
            elif isinstance(rule, ast.AtRule) and rule.content is not None:
                keyword = rule.lower_at_keyword
                prelude = " ".join(tinycss2.serialize(rule.prelude).split())
                if keyword == "media" and DARK.search(prelude):
                    continue
                if keyword in {"media", "supports"}:
                    inner = tinycss2.parse_rule_list(
                        rule.content, skip_comments=True, skip_whitespace=True
                    )
                    body = "".join(self._walk(inner, pick))
                    if body:
                        yield f"@{rule.at_keyword} {prelude}{{{body}}}"
                elif keyword.endswith("keyframes") and prelude in self._animations(pick):
                    yield f"@{rule.at_keyword} {prelude}{{{self._frames(rule)}}}"

    def _animations(self, pick) -> set[str]:
        return self.animations if pick == self._final else set()

    def _frames(self, rule) -> str:
        out = []
        for frame in tinycss2.parse_rule_list(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
            if isinstance(frame, ast.QualifiedRule):
                body = ";".join(f"{n}:{v}" for n, v in declarations(frame.content))
                out.append(f"{' '.join(tinycss2.serialize(frame.prelude).split())}{{{body}}}")
        return "".join(out)

    def _selectors(self, rule) -> list[str]:
        return [s for s in split_selectors(rule.prelude) if keeps(s, self.used)]

    def _survey(self, rule) -> Iterator[str]:
        """First pass: note what the kept rules' own properties read and animate."""
        if self._selectors(rule):
            for name, value in declarations(rule.content):
                if name.startswith("--"):
                    self.definitions.setdefault(name, []).append(value)
                else:
                    self.reads.update(VAR_USE.findall(value))
                    if name in {"animation", "animation-name", "-webkit-animation"}:
                        self.animation_values.append(value)
        return iter(())

    def _final(self, rule) -> Iterator[str]:
        selectors = self._selectors(rule)
        if not selectors:
            return
        kept = [
            f"{name}:{value}"
            for name, value in declarations(rule.content)
            if not name.startswith("--") or name in self.variables
        ]
        if kept:
            yield f"{','.join(selectors)}{{{';'.join(kept)}}}"

    def css(self) -> str:
        self.definitions: dict[str, list[str]] = {}
        self.reads: set[str] = set(self.outside_reads)
        self.animation_values: list[str] = []
        list(self._walk(self.rules, self._survey))
        # Variables read by kept properties, and the variables their values read in turn.
        self.variables: set[str] = set()
        pending = list(self.reads)
        while pending:
            name = pending.pop()
            if name in self.variables:
                continue
            self.variables.add(name)
            for value in self.definitions.get(name, []):
                pending.extend(VAR_USE.findall(value))
        words = {w for v in self.animation_values for w in re.findall(r"[A-Za-z_][\w-]*", v)}
        self.animations = words
        return "".join(self._walk(self.rules, self._final))


def build(weui: Path, sources: Iterable[Path]) -> tuple[str, set[str]]:
    used, variables = scan(sources)
    header = (
        "/*! WeUI v2 (https://github.com/weui/weui), MIT licence, Tencent. The rules microcourt"
        " uses, extracted by scripts/weui_subset.py */\n"
    )
    css = Subset(weui.read_text(encoding="utf-8"), used, variables).css()
    return header + _escape_inner_urls(css) + "\n", used


# An SVG inside a data URI refers to its own gradients as ``url(%23id)``; Django's manifest
# storage takes that for a file reference and rewrites it (``url("#id#id")``), which broke
# WeUI's loading spinner. Percent-encoded brackets mean the same to the SVG and nothing to it.
INNER_URL = re.compile(r"url\((%23[^()]*)\)")


def _escape_inner_urls(css: str) -> str:
    return INNER_URL.sub(r"url%28\1%29", css)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--weui", type=Path, default=WEUI)
    parser.add_argument("--source", type=Path, action="append", dest="sources")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not args.weui.is_file():
        sys.stderr.write(f"{args.weui} is missing: run `npm ci` first (make does).\n")
        return 2
    css, used = build(args.weui, args.sources or SOURCES)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(css, encoding="utf-8")
    full = args.weui.with_name("weui.min.css")
    print(
        f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: "
        f"{len(used)} WeUI classes, {len(css.encode()) / 1024:.1f} KB"
        + (f" (of {full.stat().st_size / 1024:.1f} KB)" if full.is_file() else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
