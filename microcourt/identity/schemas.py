from ninja import Schema


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""


class TokenOut(Schema):
    token: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str  # masked
    language: str
    roles: list[dict]
