import datetime as dt

from ninja import Field, Schema


class TokenIn(Schema):
    # Bounded so that no lookup sees an overlong string (an e-mail address is the longest).
    username: str = Field(..., max_length=254)
    password: str = Field(..., max_length=4096)
    name: str = Field("", max_length=100)
    otp: str = Field("", max_length=64)  # court staff: the current code of their authenticator app


class TokenOut(Schema):
    token: str


class ApiTokenOut(Schema):
    """A token as its owner sees it: enough to recognise it (``prefix``: the characters
    after ``mc_``), never the key."""

    id: int
    prefix: str
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str  # masked
    language: str
    roles: list[dict]


class VerificationLevelOut(Schema):
    level: str
    label: str
    method: str | None = None
    verified_at: str | None = None


class VerificationOut(Schema):
    id: int
    method: str
    purpose: str
    status: str
    score: str | None
    created_at: str

    @staticmethod
    def resolve_score(obj) -> str | None:
        return None if obj.score is None else str(obj.score)

    @staticmethod
    def resolve_created_at(obj) -> str:
        return obj.created_at.isoformat()


class LawyerOut(Schema):
    id: int
    licence_number: str
    law_firm: str
    status: str


class OrganisationOut(Schema):
    id: int
    name: str
    uscc: str
    status: str
    reason: str


class AuthorisationIn(Schema):
    agent_username: str
    scope: str
    powers: list[str] = []
    valid_from: str
    valid_until: str | None = None
    organisation_id: int | None = None
    case_id: int | None = None


class AuthorisationOut(Schema):
    id: int
    scope: str
    powers: list[str]
    agent: str

    @staticmethod
    def resolve_agent(obj) -> str:
        return obj.agent.username
