"""The one place the environment is read.

Every setting that comes from outside is declared here with its type, default and a
comment; a malformed value stops start-up with a message naming the variable, so the
server never runs half-configured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Typed reads of environment variables; errors name the variable and the reason."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return None if value is None else value.strip()

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str:
        value = self._raw(name)
        if value is None or value == "":
            if required:
                raise ImproperlyConfigured(f"{name} must be set (it has no default in this mode).")
            return "" if default is None else default
        return value

    def bool(self, name: str, default: bool = False) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}.")

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self._raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
        return number

    def list(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self._raw(name)
        if value is None or value == "":
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def json(self, name: str, default: Any = None) -> Any:
        """A JSON value (e.g. a mapping of events to approved SMS templates)."""
        import json

        value = self._raw(name)
        if value is None or value == "":
            return {} if default is None else default
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} must be valid JSON: {exc}") from None

    def database(self, name: str, default: str) -> dict[str, Any]:
        url = self.str(name, default)
        scheme = urlparse(url).scheme
        if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            raise ImproperlyConfigured(
                f"{name} must be a sqlite:// or postgres:// URL, got scheme {scheme!r}."
            )
        try:
            config = dj_database_url.parse(url, conn_max_age=0)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
        if config["ENGINE"].endswith("postgresql"):
            config.setdefault("OPTIONS", {})
            config["CONN_HEALTH_CHECKS"] = True
        return config

    def redis_url(self, name: str) -> str:
        url = self.str(name, "")
        if url and urlparse(url).scheme not in {"redis", "rediss", "unix"}:
            raise ImproperlyConfigured(f"{name} must be a redis:// URL, got {url!r}.")
        return url


env = Env()
