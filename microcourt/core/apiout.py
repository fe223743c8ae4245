"""Responses of the API's hottest reads, rendered without validating them a second time.

django-ninja validates whatever a handler returns against the declared response schema and
then dumps it again, through a wrapper that reads every field of every nested schema by
attribute (``ninja.schema.DjangoGetter``): for a page of 20 cases that was a third of the
handler's time (docs/benchmarks.md, request path). A handler that already builds exactly the
declared shape — the keys of the schema, in its order, with the types its fields hold after
validation — returns ``json_response(request, data, schema)`` instead: the same renderer writes
the same bytes, and the schema stays declared (``response=``) for the OpenAPI document.

"Exactly the declared shape" is checked, not assumed: with ``CHECK`` on (the tests of these
endpoints turn it on; ``DEBUG`` does too) the data goes through ninja's validation as well,
and a difference fails loudly instead of reaching a client.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from pydantic import TypeAdapter

# Validate every fast response against its schema as ninja would (tests set it; DEBUG too).
CHECK = False


class ShapeMismatch(AssertionError):
    """A handler's pre-shaped data differs from what its schema would have let out."""


@functools.cache
def _adapter(schema: Any) -> TypeAdapter[Any]:
    return TypeAdapter(schema)


def json_response(request: HttpRequest, data: Any, schema: Any) -> HttpResponse:
    """``data`` rendered by the API's renderer as a 200 response; ``schema`` is the handler's
    declared response type (``CaseOut``, ``list[MessageOut]``), used when checking."""
    api = _api()
    body = api.renderer.render(request, data, response_status=200)
    if CHECK or settings.DEBUG:
        adapter = _adapter(schema)
        validated = adapter.dump_python(adapter.validate_python(data))
        expected = api.renderer.render(request, validated, response_status=200)
        if body != expected:
            raise ShapeMismatch(f"response differs from {schema!r}:\n{body}\n!=\n{expected}")
    return HttpResponse(body, content_type=api.get_content_type())


@functools.cache
def _api() -> Any:
    """The one ``NinjaAPI`` (``microcourt.api``, which sits above every app: named, as the
    actor's loaders are, rather than imported)."""
    return import_string(getattr(settings, "MICROCOURT_API", "microcourt.api.api"))
