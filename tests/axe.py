"""Accessibility in the end-to-end tests: axe-core (the npm package in node_modules) run on
every page a journey visits, failing on any critical or serious WCAG 2.1 A/AA violation.

`watch(context)` puts axe into every page of a browser context and runs it when the page has
loaded; the page reports what it found back to the test. So that no page is left before it
has been checked, `guard()` makes each Playwright action (goto, click, fill, …) first wait
until the page's check is done. `finish(context)` waits for the pages still open and returns
everything found; `audit(page)` checks one page now (after an htmx swap, say).
`assert_accessible` lists the violations, one paragraph per rule and page."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# What axe found, reduced to what a reader of the failure needs.
SERIOUS = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags },
                                           resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                   targets: v.nodes.map((n) => n.target.join(" ")),
                   summary: v.nodes.length ? v.nodes[0].failureSummary : "" }));
}"""

# Runs in every new document: the top frame of an HTML page checks itself once loaded and
# reports to the test; window.__axeBusy is true until it has.
ON_LOAD = """((tags) => {
  if (window.top !== window) return;
  window.__axeBusy = true;
  const done = () => { window.__axeBusy = false; };
  if (!/^https?:$/.test(location.protocol) || document.contentType !== "text/html") {
    done();
    return;
  }
  window.addEventListener("load", () => setTimeout(async () => {
    try {
      const found = await (%s)(tags);
      await window.__axeReport(location.href, found);
    } catch (error) {
      await window.__axeReport(location.href, [{ id: "axe-error", impact: "critical",
        help: String(error), targets: [], summary: "" }]);
    } finally { done(); }
  }, 0));
})(%s);"""

IDLE = "() => window.__axeBusy !== true"


def _source() -> str:
    assert AXE.exists(), "axe-core is missing: run `npm ci` (the Makefile's test target does)"
    return AXE.read_text()


def _violations(context) -> list[dict]:
    if not hasattr(context, "_axe_violations"):
        context._axe_violations = []
    return context._axe_violations


def watch(context) -> None:
    """Check every page of ``context`` once it has loaded."""
    import json

    found = _violations(context)

    context._axe_checked = []

    def report(_source_info, url, violations):
        context._axe_checked.append(url)
        found.extend(dict(v, url=url) for v in violations)

    context.expose_binding("__axeReport", report)
    context.add_init_script(_source())
    context.add_init_script(ON_LOAD % (SERIOUS, json.dumps(TAGS)))
    context._axe_watched = True


def settle(page) -> None:
    """Wait until the page's own check is done (a no-op for pages nobody watches)."""
    if not getattr(page.context, "_axe_watched", False) or page.is_closed():
        return
    try:
        page.wait_for_function(IDLE, timeout=60000)
    except Exception as error:  # the page went away meanwhile: nothing left to check
        if not any(word in str(error) for word in ("closed", "destroyed", "navigat")):
            raise


def audit(page) -> list[dict]:
    """Run axe on the page as it is now; what fails is also kept on its context."""
    if not page.url.startswith("http") or page.evaluate("document.contentType") != "text/html":
        return []  # a PDF in the browser's viewer, say
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    found = [dict(v, url=page.url) for v in page.evaluate(SERIOUS, TAGS)]
    _violations(page.context).extend(found)
    return found


def finish(context) -> list[dict]:
    """Let the pages still open finish their checks; everything found on ``context``."""
    for page in context.pages:
        settle(page)
    return _violations(context)


def checked(context) -> list[str]:
    """The addresses of the pages axe has checked in ``context``."""
    return getattr(context, "_axe_checked", [])


# The actions that may leave a page: each first waits until the page has been checked.
PAGE_ACTIONS = (
    "goto", "reload", "go_back", "go_forward", "click", "dblclick", "tap", "fill", "type",
    "press", "check", "uncheck", "set_checked", "select_option", "set_input_files",
    "dispatch_event",
)  # fmt: skip
LOCATOR_ACTIONS = (
    "click", "dblclick", "tap", "fill", "clear", "type", "press", "press_sequentially",
    "check", "uncheck", "set_checked", "select_option", "set_input_files", "dispatch_event",
)  # fmt: skip


@contextmanager
def guard() -> Iterator[None]:
    """While open, Playwright's page and locator actions wait for the page's check first."""
    from playwright.sync_api import Locator, Page

    saved = []

    def guarded(method, page_of):
        @functools.wraps(method)
        def action(self, *args, **kwargs):
            settle(page_of(self))
            return method(self, *args, **kwargs)

        return action

    for cls, names, page_of in (
        (Page, PAGE_ACTIONS, lambda page: page),
        (Locator, LOCATOR_ACTIONS, lambda locator: locator.page),
    ):
        for name in names:
            method = getattr(cls, name)
            saved.append((cls, name, method))
            setattr(cls, name, guarded(method, page_of))
    try:
        yield
    finally:
        for cls, name, method in saved:
            setattr(cls, name, method)


def report(violations: list[dict]) -> str:
    """One paragraph per rule and page: the rule, its impact, the elements, what to fix."""
    lines, seen = [], set()
    for v in violations:
        key = (v["url"], v["id"], tuple(v["targets"]))
        if key in seen:
            continue
        seen.add(key)
        targets = ", ".join(v["targets"][:8])
        more = f" (+{len(v['targets']) - 8} more)" if len(v["targets"]) > 8 else ""
        summary = " ".join(v["summary"].split())[:300]
        lines.append(
            f"- {v['impact']} {v['id']} on {v['url']}: {v['help']}\n"
            f"    elements: {targets}{more}\n    fix: {summary}"
        )
    return "\n".join(lines)


def assert_accessible(violations: list[dict]) -> None:
    assert not violations, (
        f"axe-core found {len(violations)} critical/serious WCAG 2.1 AA violations:\n"
        + report(violations)
    )
