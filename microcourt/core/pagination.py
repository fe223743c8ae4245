"""Pages of the API's lists: ninja's ``limit``/``offset``, bounded.

ninja's own takes any integer, and SQLite refuses a LIMIT or OFFSET past 64 bits
("datatype mismatch"): ``?offset=5919703976705590138788833656832`` was a 500
(tests/test_openapi_fuzz.py). Bounded, such a number is a 400 naming the parameter, and the
bounds are in the OpenAPI document. Use ``@paginate(Pages)``."""

from __future__ import annotations

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500  # items in one page
MAX_OFFSET = 1_000_000_000  # no list of ours is longer


class Pages(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
