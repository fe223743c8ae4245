from decimal import Decimal

from ninja import Schema


class CourtOut(Schema):
    code: str
    name: str
    name_en: str
    short_name: str
    level: str
    specialty: str
    parent: str | None
    province: str
    city: str
    district: str
    address: str
    phone: str
    hours: str
    hours_en: str
    latitude: Decimal | None
    longitude: Decimal | None
    code_inferred: bool
    nav_inferred: bool
    map_links: dict[str, str]

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_map_links(obj) -> dict[str, str]:
        from .selectors import map_links

        return map_links(obj)
