from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput
from microcourt.ledger import actions as ledger

from . import codes, data_policies, policies
from .events import LedgerEvent
from .models import (
    AssignmentKind,
    AssignmentRule,
    Court,
    CourtClosure,
    Division,
    DivisionKind,
    Level,
    Recusal,
)

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
    are left as they are, so corrections an administrator made are never overwritten.
    National data: the system or a platform operator (``data_policies``)."""
    data_policies.require_edit_national(actor)
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
            "hours_en": row.get("hours_en", ""),
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
    """Record a day the court does not work (a typhoon, 停电); court-day deadlines skip it.
    That court's administrator records it, no other court's (``data_policies``)."""
    data_policies.require_edit_court(actor, court)
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


@transaction.atomic
def court_navigation_update(*, court: Court, actor: Actor, **changes) -> Court:
    """法院导航: that court's administrator keeps its address, telephone, office hours and
    map position (``data_policies.NAVIGATION_FIELDS``); the national data (代字, name, level)
    is not changed here. A confirmed change clears the "inferred" flag unless it is set."""
    data_policies.require_edit_court(actor, court)
    unknown = sorted(set(changes) - data_policies.NAVIGATION_FIELDS)
    if unknown:
        raise InvalidInput(
            _("只能修改法院导航信息"),
            fields={name: _("不能在此修改") for name in unknown},
        )
    values: dict = {}
    errors: dict = {}
    for name, value in changes.items():
        if name in ("latitude", "longitude"):
            limit = 90 if name == "latitude" else 180
            try:
                number = _decimal(value)
            except (ArithmeticError, ValueError):
                errors[name] = _("请填写数字")
                continue
            if number is not None and abs(number) > limit:
                errors[name] = _("超出范围")
                continue
            values[name] = number
        elif name == "nav_inferred":
            values[name] = bool(value)
        else:
            text = str(value or "").strip()
            if len(text) > Court._meta.get_field(name).max_length:
                errors[name] = _("太长")
                continue
            values[name] = text
    if errors:
        raise InvalidInput(_("法院导航信息有误"), fields=errors)
    values.setdefault("nav_inferred", False)
    changed = sorted(k for k, v in values.items() if getattr(court, k) != v)
    for name, value in values.items():
        setattr(court, name, value)
    court.save(update_fields=[*values, "updated_at"])
    ledger.record(
        code=LedgerEvent.COURT_NAVIGATION_UPDATED,
        actor=actor,
        data={"court": court.code, "fields": changed},
    )
    return court


# --- 分案 (case assignment) -------------------------------------------------------------------


@transaction.atomic
def assignment_rule_set(*, division: Division, kind: str, actor: Actor) -> AssignmentRule:
    """A division's rule for its new cases: weighted random, rotation, or by the head's hand.
    Set by the division's 庭长 (``policies.require_division_head``)."""
    bound = policies.require_division_head(actor, division.court_id, division.pk)
    if kind not in AssignmentKind.values:
        raise InvalidInput(_("分案方式不正确"), fields={"kind": _("请选择有效的分案方式")})
    rule, _created = AssignmentRule.objects.select_for_update().get_or_create(division=division)
    rule.kind = kind
    rule.save(update_fields=["kind", "updated_at"])
    ledger.record(
        code=LedgerEvent.ASSIGNMENT_RULE_SET,
        actor=bound,
        data={"court": division.court.code, "division": division.pk, "kind": kind},
    )
    return rule


def rotation_advance(*, division: Division, judge_id: int) -> None:
    """Rotation: the judge just given a case is the pointer the next case goes round from.
    Called inside ``cases.actions.case_assign``'s transaction (its ledger entry records it);
    the row is locked, so two acceptances at once take two turns, not the same one."""
    rule, _created = AssignmentRule.objects.select_for_update().get_or_create(
        division=division, defaults={"kind": AssignmentKind.ROTATION}
    )
    AssignmentRule.objects.filter(pk=rule.pk).update(last_judge_id=judge_id)


def rotation_pointer(division: Division) -> int | None:
    """The judge who had the last turn, read under the row's lock (rotation's pointer)."""
    rule = AssignmentRule.objects.select_for_update().filter(division=division).first()
    return rule.last_judge_id if rule is not None else None


@transaction.atomic
def recusal_grant(
    *, court: Court, case_id: int, division_id: int | None, user, reason: str, actor: Actor
) -> Recusal:
    """回避 granted (民诉法第四十七条、第五十条): the division head decides that this person
    of the court keeps off the case; assignment never puts them on it again. Taking them off
    the panel, when they sit on it, is ``cases.actions.case_recuse``'s."""
    bound = policies.require_division_head(actor, court.pk, division_id)
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写回避事由"), fields={"reason": _("此项不能为空")})
    if len(reason) > 500:
        raise InvalidInput(_("回避事由太长"), fields={"reason": _("不能超过500个字")})
    recusal, created = Recusal.objects.get_or_create(
        case_id=case_id,
        user=user,
        defaults={"court": court, "reason": reason, "decided_by": bound.user},
    )
    if created:
        ledger.record(
            code=LedgerEvent.RECUSAL_GRANTED,
            actor=bound,
            case_id=case_id,
            data={"user": user.pk, "reason": reason},
        )
    return recusal
