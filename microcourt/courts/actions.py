from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput
from microcourt.ledger import actions as ledger

from . import codes
from .events import LedgerEvent
from .models import Court, CourtClosure, Division, DivisionKind, Level

SEED_PATH = Path(__file__).parent / "data" / "courts.json"

# The divisions every trial court gets in the seed; administrators add the rest.
DEFAULT_DIVISIONS = [
    ("立案庭", DivisionKind.FILING),
    ("民事审判第一庭", DivisionKind.CIVIL),
    ("民事审判第二庭", DivisionKind.COMMERCIAL),
    ("行政审判庭", DivisionKind.ADMINISTRATIVE),
    ("刑事审判庭", DivisionKind.CRIMINAL),
    ("执行局", DivisionKind.ENFORCEMENT),
    ("诉调对接中心", DivisionKind.MEDIATION),
]


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).quantize(Decimal("0.00001"))


@transaction.atomic
def court_seed_load(*, actor: Actor, path: Path = SEED_PATH) -> int:
    """Create the seeded courts that do not exist yet (keyed by court code). Existing courts
    are left as they are, so corrections an administrator made are never overwritten."""
    raw = Path(path).read_bytes()
    rows = json.loads(raw.decode("utf-8"))
    created = 0
    by_code: dict[str, Court] = {c.code: c for c in Court.objects.all()}
    for row in rows:
        parent = by_code.get(row["parent"]) if row.get("parent") else None
        if row.get("parent") and parent is None:
            raise InvalidInput(
                _("种子数据中上级法院须先于下级法院出现"), fields={"parent": row["parent"]}
            )
        codes.validate(row["code"], level=row["level"], parent_code=parent.code if parent else None)
        values = {
            "name": row["name"],
            "name_en": row.get("name_en", ""),
            "short_name": row.get("short_name", ""),
            "level": row["level"],
            "specialty": row.get("specialty", ""),
            "parent": parent,
            "province": row.get("province", ""),
            "city": row.get("city", ""),
            "district": row.get("district", ""),
            "division_code": row.get("division_code", ""),
            "address": row.get("address", ""),
            "phone": row.get("phone", ""),
            "hours": row.get("hours", ""),
            "latitude": _decimal(row.get("lat")),
            "longitude": _decimal(row.get("lng")),
            "code_inferred": bool(row.get("code_inferred")),
            "nav_inferred": bool(row.get("nav_inferred")),
            "source": row.get("source", "")[:300],
        }
        court, was_created = Court.objects.get_or_create(code=row["code"], defaults=values)
        created += was_created
        by_code[court.code] = court
        if court.level in (Level.INTERMEDIATE, Level.BASIC):
            for name, kind in DEFAULT_DIVISIONS:
                Division.objects.get_or_create(court=court, name=name, defaults={"kind": kind})
    # The seed file's digest is the subject: anyone can check which data was loaded.
    ledger.record(
        code=LedgerEvent.COURT_SEED_LOADED,
        actor=actor,
        subject_digest=ledger.digest_of(raw),
        data={"rows": len(rows), "created": created, "file": Path(path).name},
    )
    return len(rows)


@transaction.atomic
def court_closure_add(*, court: Court, date, reason: str, actor: Actor) -> CourtClosure:
    """Record a day the court does not work; court-day deadlines skip it."""
    if not reason.strip():
        raise InvalidInput(_("请填写停止办公的原因"), fields={"reason": _("必填")})
    closure, created = CourtClosure.objects.update_or_create(
        court=court, date=date, defaults={"reason": reason.strip()[:200]}
    )
    ledger.record(
        code=LedgerEvent.COURT_CLOSURE_RECORDED,
        actor=actor,
        data={
            "court": court.code,
            "date": closure.date.isoformat(),
            "reason": closure.reason,
            "created": created,
        },
    )
    return closure
