from django.http import HttpRequest
from ninja import Router

from . import actions, selectors
from .schemas import MeOut, TokenIn, TokenOut

router = Router(tags=["identity"])


@router.post("/auth/token", response=TokenOut, auth=None)
def obtain_token(request: HttpRequest, payload: TokenIn):
    """Username (or phone) and password → a bearer token for `Authorization: Bearer …`."""
    return {"token": actions.api_token_issue(**payload.dict())}


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    return selectors.profile(request.auth)
