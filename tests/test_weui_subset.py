"""Only the styles the pages use (issue 15): `make` cuts WeUI's 184 KB sheet down to the
rules for the WeUI classes our templates, scripts and forms name (scripts/weui_subset.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("weui_subset", ROOT / "scripts" / "weui_subset.py")
weui_subset = importlib.util.module_from_spec(spec)
spec.loader.exec_module(weui_subset)

SHEET = """
body,.wx-root{--weui-BG-2:#fff;--weui-FG-0:rgba(0,0,0,.9);--weui-BRAND:#07c160;
  --weui-LINK:var(--weui-BLUE);--weui-BLUE:#10aeff;--weui-UNUSED:#123456}
.wx-root[data-weui-theme='dark'],body[data-weui-theme='dark']{--weui-BG-2:#191919}
@media (prefers-color-scheme:dark){body:not([data-weui-theme='light']){--weui-BG-2:#191919}}
* {margin:0}
.weui-cells,.weui-dialog{background:var(--weui-BG-2)}
.weui-cell_access .weui-cell__ft{color:var(--weui-LINK)}
.weui-dialog__btn{color:var(--weui-BRAND)}
.weui-loading{animation:weuiLoading 1s steps(12) infinite}
.weui-toast{animation:weuiFadeIn .3s}
@keyframes weuiLoading{0%{transform:rotate(0)}to{transform:rotate(1turn)}}
@keyframes weuiFadeIn{0%{opacity:0}to{opacity:1}}
"""


def subset(sheet: str, used: set[str]) -> str:
    return weui_subset.Subset(sheet, used).css()


def test_rules_for_classes_we_use_stay_and_the_rest_go():
    css = subset(SHEET, {"weui-cells", "weui-cell", "weui-cell_access", "weui-cell__ft"})
    assert ".weui-cells{background:var(--weui-BG-2)}" in css  # .weui-dialog left the list
    assert ".weui-cell_access .weui-cell__ft{color:var(--weui-LINK)}" in css
    assert "weui-dialog" not in css and "weui-toast" not in css and "weui-loading" not in css
    assert "*{margin:0}" in css  # base rules name no class: they stay


def test_variables_stay_only_when_read_and_in_the_light_scheme_only():
    css = subset(SHEET, {"weui-cells", "weui-cell_access", "weui-cell__ft"})
    # Our own sheets are light only: WeUI's dark colours beside them made grey on grey.
    assert "--weui-BG-2:#fff" in css and "#191919" not in css and "prefers-color" not in css
    assert "--weui-LINK:var(--weui-BLUE)" in css and "--weui-BLUE:#10aeff" in css  # read in turn
    assert "--weui-BRAND" not in css  # read only by the dialog's button
    assert "--weui-UNUSED" not in css
    # Nothing here sets WeUI's theme attribute or runs in a mini-program.
    assert "data-weui-theme='dark'" not in css and "wx-root" not in css


def test_keyframes_stay_only_for_the_animations_kept():
    css = subset(SHEET, {"weui-loading"})
    assert "@keyframes weuiLoading{" in css
    assert "weuiFadeIn" not in css


def test_the_real_sheet_keeps_every_weui_class_our_pages_use():
    if not weui_subset.WEUI.is_file():
        pytest.fail("node_modules/weui is missing: run `make assets`")
    css, used = weui_subset.build(weui_subset.WEUI, weui_subset.SOURCES)
    full = weui_subset.WEUI.read_text(encoding="utf-8")
    defined = set(re.findall(r"\.(weui-[\w-]+)", full))
    assert {"weui-cells", "weui-btn_primary", "weui-tabbar__item", "weui-form-preview"} <= used
    for name in sorted(used & defined):
        assert re.search(rf"\.{re.escape(name)}(?![\w-])", css), f"{name} lost its rules"
    for name in ("weui-dialog", "weui-picker", "weui-actionsheet", "weui-half-screen-dialog"):
        assert name not in used and f".{name}" not in css
    minified = weui_subset.WEUI.with_name("weui.min.css").stat().st_size
    assert len(css.encode()) < minified / 5


def test_the_built_subset_is_current():
    """The servers serve build/static/…/weui-subset.css: a template naming a new WeUI class
    needs it rebuilt (`make run`, `make test` and `make assets` do)."""
    if not weui_subset.OUT.is_file():
        pytest.fail(f"{weui_subset.OUT} is missing: run `make assets`")
    css, _used = weui_subset.build(weui_subset.WEUI, weui_subset.SOURCES)
    assert weui_subset.OUT.read_text(encoding="utf-8") == css, "stale: run `make assets`"


def test_the_spinners_svg_survives_hashed_static_names(tmp_path):
    """WeUI's loading spinner is an SVG in a data URI that points at its own gradient with
    ``url(%23id)``; the manifest storage rewrote that into ``url("#id#id")`` and the spinner
    vanished from every pending state. The subset encodes those brackets."""
    from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
    from django.core.files.base import ContentFile

    svg = "url(data:image/svg+xml,%3Csvg%3E%3Cpath%20fill%3D%22url(%23g-1)%22%2F%3E%3C%2Fsvg%3E)"
    css = weui_subset._escape_inner_urls(f".weui-loading{{background:{svg}}}")
    assert "url(%23" not in css and "url%28%23g-1%29" in css
    storage = ManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    storage.save("weui.css", ContentFile(css.encode()))
    processed = list(storage.post_process({"weui.css": (storage, "weui.css")}))
    assert all(not isinstance(result, Exception) for _name, _hashed, result in processed)
    hashed = storage.stored_name("weui.css")
    assert (tmp_path / hashed).read_text() == css  # nothing rewritten inside the data URI
