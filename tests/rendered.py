"""A page rendered by Django's test client, laid out and run by headless Debian Chromium
without a live server: the page and our static files are served to the browser from the
test process (``page.route``), everything else answers 204. For checks of layout and of
small scripts on one page (a phone's width, a script reading a data attribute)."""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders

from tests.browser import CHROMIUM, FLAGS

ORIGIN = "http://testserver"


@contextmanager
def rendered(html: str, *, path: str = "/", width: int = 360, locale: str = "zh-CN", answer=None):
    """Yield a Playwright page showing ``html`` at ``ORIGIN + path`` on a phone ``width``
    px wide, with our stylesheets and scripts loaded as on the site. ``answer(request)``,
    when given, may answer the page's own requests (an htmx poll, say) with the body of a
    test-client response, or None to leave them to the defaults."""
    from playwright.sync_api import sync_playwright

    def serve(route):
        url = urlparse(route.request.url)
        if answer is not None:
            body = answer(route.request)
            if body is not None:
                return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)
        if url.path == path and route.request.method == "GET":
            return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        if url.path.startswith(settings.STATIC_URL):
            found = finders.find(url.path[len(settings.STATIC_URL) :])
            if found:
                return route.fulfill(path=found)
        return route.fulfill(status=204, body="")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": 780},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale=locale,
            )
            context.set_default_timeout(30000)
            page = context.new_page()
            page.route("**/*", serve)
            page.goto(ORIGIN + path)
            page.wait_for_load_state("load")
            yield page
        finally:
            browser.close()
