"""Fixtures of the cross-app tests: Debian's Chromium for the end-to-end stories."""

from tests.browser import browser  # noqa: F401
