from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from microcourt.core.pagination import Pages

from . import selectors
from .schemas import CourtOut

router = Router(tags=["courts"])


class CourtFilter(Schema):
    province: str = ""
    city: str = ""
    level: str = ""
    q: str = ""


@router.get("/courts", response=list[CourtOut], auth=None)
@paginate(Pages)
def list_courts(request: HttpRequest, filters: Query[CourtFilter]):
    """法院导航: courts by province, city, level or a name search. Public."""
    return selectors.courts(**filters.dict())


@router.get("/courts/{code}", response=CourtOut, auth=None)
def get_court(request: HttpRequest, code: str):
    return selectors.court(code)
