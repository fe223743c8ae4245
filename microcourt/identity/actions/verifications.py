"""Real-name verification actions (实名认证; 在线诉讼规则第七条, 互联网法院规定第六条).

A citizen proves who they are once — ID card photos read by OCR and a live face compared
with the card's portrait — and is re-checked by face before hearings, mediation and
evidence exchange. People the camera fails and foreigners send documents that court staff
review; staff at a court or shared court can verify a person standing in front of them.
Images of a face check are only held in memory for the comparison: only the score and
the result are kept. Failed attempts are recorded and counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.assist import face as face_engine
from microcourt.assist import idcard
from microcourt.core import idnumbers, uploads
from microcourt.core.actor import Actor
from microcourt.core.crypto import blind_index
from microcourt.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from microcourt.notifications import actions as notifications

from .. import policies
from ..events import LedgerEvent
from ..models import (
    IdType,
    RealNameIdentity,
    User,
    Verification,
    VerificationMethod,
    VerificationPurpose,
    VerificationStatus,
)
from ..validators import clean_name

MAX_IMAGE_BYTES = 8 * 1024 * 1024
# After this many failed attempts in a day, the camera path closes and staff review opens.
MAX_FAILURES_PER_DAY = 5


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


@dataclass(frozen=True)
class Evidence:
    """What the person typed and sent for an ID-card + face check."""

    name: str
    id_number: str
    id_front: bytes
    selfie: bytes
    id_back: bytes | None = None


def id_index(id_type: str, number: str) -> str:
    return blind_index(f"{id_type}:{number.upper()}", purpose="identity.id_number")


def validate_resident_id(number: str, *, field: str = "id_number") -> str:
    """Checksum, birth date and region of an 18-digit resident ID number."""
    compact = (number or "").strip().upper().replace(" ", "")
    if not compact:
        raise InvalidInput(_("请填写身份证号码"), fields={field: _("请填写身份证号码")})
    try:
        return idnumbers.resident_id_validate(compact)
    except Exception as exc:  # stdnum raises a family of ValidationErrors
        reasons = {
            "InvalidChecksum": _("校验位不正确，请核对最后一位"),
            "InvalidComponent": _("出生日期或地区代码不存在"),
            "InvalidLength": _("身份证号码应为18位"),
            "InvalidFormat": _("身份证号码只能包含数字和末位的X"),
        }
        reason = reasons.get(type(exc).__name__, _("身份证号码不正确"))
        raise InvalidInput(_("身份证号码不正确"), fields={field: reason}) from None


def failures_today(user: User) -> int:
    since = timezone.now() - dt.timedelta(days=1)
    return user.verifications.filter(
        status=VerificationStatus.FAILED, created_at__gte=since
    ).count()


def _refuse_if_locked(user: User) -> None:
    if failures_today(user) >= MAX_FAILURES_PER_DAY:
        raise TooManyAttempts(
            _(
                "今天核验失败次数过多。请明天再试，或选择“证件人工审核”，或到法院诉讼服务中心现场核验。"
            )
        )


def _record_failure(
    *,
    user: User,
    method: str,
    purpose: str,
    reason: str,
    name: str = "",
    id_number: str = "",
    score: Decimal | None = None,
) -> None:
    """A failed attempt is kept in its own transaction, so it counts even though the
    request that caused it is refused."""
    with transaction.atomic():
        Verification.objects.create(
            user=user,
            method=method,
            purpose=purpose,
            status=VerificationStatus.FAILED,
            id_type=IdType.RESIDENT_ID,
            claimed_name=name[:100],
            claimed_id_number=id_number,
            score=score,
            reason=str(reason)[:300],
        )
        record_about(
            LedgerEvent.VERIFICATION_FAILED,
            Actor.citizen(user),
            user,
            {"method": method, "purpose": purpose},
        )


def record_about(code, actor: Actor, subject: User, details: dict) -> None:
    from microcourt.ledger import actions as ledger

    ledger.record(code=code, actor=actor, data={"subject_user_id": subject.pk, **details})


def verification_by_id_card_and_face(*, user: User, evidence: Evidence) -> Verification:
    """Verify a natural person: the typed name and number must be valid and agree with the
    card as read by OCR; the card must not be expired; the live selfie must match the
    card's portrait. On success the account is real-name verified."""
    _refuse_if_locked(user)
    method, purpose = VerificationMethod.ID_CARD_FACE, VerificationPurpose.REGISTRATION
    name = clean_name(evidence.name, max_length=100, missing=_("请填写姓名"))
    number = validate_resident_id(evidence.id_number)
    owner = RealNameIdentity.objects.filter(id_index=id_index(IdType.RESIDENT_ID, number)).first()
    if owner is not None and owner.user_id != user.pk:
        raise InvalidInput(
            _("该身份证已被另一个账号实名认证"), fields={"id_number": _("如非本人操作，请联系法院")}
        )

    front = idcard.read_id_card_front(evidence.id_front)
    mismatch = {}
    if front.name and front.name != name:
        mismatch["name"] = _("与身份证上的姓名“%(read)s”不一致") % {"read": front.name}
    if front.id_number and front.id_number.upper() != number:
        mismatch["id_number"] = _("与身份证上的号码不一致")
    if not front.id_number and not front.name:
        mismatch["id_front"] = _("没有识别到身份证信息，请重新拍摄人像面")
    if mismatch:
        _record_failure(
            user=user,
            method=method,
            purpose=purpose,
            name=name,
            id_number=number,
            reason="typed values differ from the card",
        )
        raise InvalidInput(_("填写的信息与身份证不一致"), fields=mismatch)

    valid_until = None
    if evidence.id_back:
        back = idcard.read_id_card_back(evidence.id_back)
        if back.expired(on=timezone.localdate()):
            _record_failure(
                user=user,
                method=method,
                purpose=purpose,
                name=name,
                id_number=number,
                reason="ID card expired",
            )
            raise InvalidInput(
                _("身份证已过有效期"),
                fields={"id_back": _("请使用有效期内的身份证，或换领新证后再认证")},
            )
        valid_until = back.valid_until

    match = _compare_faces(
        user=user,
        reference=evidence.id_front,
        probe=evidence.selfie,
        method=method,
        purpose=purpose,
        name=name,
        id_number=number,
    )
    with transaction.atomic():
        RealNameIdentity.objects.update_or_create(
            user=user,
            defaults={
                "name": name,
                "id_type": IdType.RESIDENT_ID,
                "id_number": number,
                "id_index": id_index(IdType.RESIDENT_ID, number),
                "gender": front.gender,
                "ethnicity": front.ethnicity,
                "birth_date": front.birth_date,
                "address": front.address,
                "valid_until": valid_until,
            },
        )
        verification = Verification.objects.create(
            user=user,
            method=method,
            purpose=purpose,
            status=VerificationStatus.PASSED,
            id_type=IdType.RESIDENT_ID,
            claimed_name=name,
            claimed_id_number=number,
            score=match.score,
            threshold=match.threshold,
            engine=match.engine,
        )
        if not user.display_name:
            user.display_name = name
            user.save(update_fields=["display_name"])
        record_about(LedgerEvent.VERIFIED, Actor.citizen(user), user, {"method": method})
        notifications.notify(
            recipient=user,
            event="identity.verified",
            url="/accounts/me/",
            idempotency_key=f"identity.verified:{verification.pk}",
        )
    return verification


@dataclass(frozen=True)
class _Match:
    score: Decimal
    threshold: Decimal
    engine: str


def _compare_faces(
    *,
    user: User,
    reference: bytes,
    probe: bytes,
    method: str,
    purpose: str,
    name: str = "",
    id_number: str = "",
) -> _Match:
    try:
        result = face_engine.get_face_engine().compare(reference, probe)
    except DomainError as exc:
        _record_failure(
            user=user,
            method=method,
            purpose=purpose,
            name=name,
            id_number=id_number,
            reason=str(exc.message),
        )
        if "id_card" in exc.fields:  # the engine's name for the reference; ours is id_front
            exc.fields["id_front"] = exc.fields.pop("id_card")
        raise
    # Distance and threshold in the engine's own terms (lower is closer), as it decided.
    score = Decimal(str(round(result.distance, 4)))
    threshold = Decimal(str(round(result.threshold, 4)))
    if not result.match:
        _record_failure(
            user=user,
            method=method,
            purpose=purpose,
            name=name,
            id_number=id_number,
            score=score,
            reason="face does not match",
        )
        raise InvalidInput(
            _("人脸比对未通过"),
            fields={"selfie": _("请本人正对摄像头、光线充足、摘下帽子和眼镜后重试")},
        )
    return _Match(score=score, threshold=threshold, engine=result.engine)


def verification_face_recheck(
    *, user: User, purpose: str, selfie: bytes, reference: bytes
) -> Verification:
    """Step-up before a hearing, mediation or evidence exchange (在线诉讼规则第七条): a new
    selfie against the ID-card portrait the person presents again."""
    if purpose not in VerificationPurpose.values or purpose == VerificationPurpose.REGISTRATION:
        raise InvalidInput(_("核验用途不正确"), fields={"purpose": _("请选择核验用途")})
    if not hasattr(user, "real_name"):
        raise Forbidden(_("请先完成实名认证"), code="verification_required")
    _refuse_if_locked(user)
    match = _compare_faces(
        user=user,
        reference=reference,
        probe=selfie,
        method=VerificationMethod.FACE_RECHECK,
        purpose=purpose,
    )
    with transaction.atomic():
        verification = Verification.objects.create(
            user=user,
            method=VerificationMethod.FACE_RECHECK,
            purpose=purpose,
            status=VerificationStatus.PASSED,
            score=match.score,
            threshold=match.threshold,
            engine=match.engine,
        )
        record_about(
            LedgerEvent.VERIFIED,
            Actor.citizen(user),
            user,
            {"method": VerificationMethod.FACE_RECHECK, "purpose": purpose},
        )
    return verification


@transaction.atomic
def verification_request_review(
    *, user: User, id_type: str, name: str, id_number: str, documents: list, note: str = ""
) -> Verification:
    """For foreigners and people the camera fails: documents go to court staff."""
    if id_type not in IdType.values:
        raise InvalidInput(_("请选择证件类型"), fields={"id_type": _("请选择证件类型")})
    fields = {}
    try:
        name = clean_name(name, max_length=100, missing=_("请填写姓名"))
    except InvalidInput as exc:
        fields.update(exc.fields)
    if not id_number.strip():
        fields["id_number"] = _("请填写证件号码")
    if not documents:
        fields["documents"] = _("请上传证件照片")
    if fields:
        raise InvalidInput(_("请补全信息"), fields=fields)
    number = id_number.strip().upper()
    if id_type == IdType.RESIDENT_ID:
        number = validate_resident_id(number)
    if user.verifications.filter(status=VerificationStatus.PENDING).exists():
        raise InvalidInput(_("您已有一份待审核的申请，请耐心等待"), fields={})
    stored = []
    for index, upload in enumerate(documents):
        field = f"documents.{index}"
        document = uploads.accept(
            upload,
            field=field,
            allowed=uploads.DOCUMENTS,
            max_bytes=MAX_IMAGE_BYTES,
            prefix="identity/documents",
        )
        stored.append(document.__dict__)
    verification = Verification.objects.create(
        user=user,
        method=VerificationMethod.DOCUMENT_REVIEW,
        status=VerificationStatus.PENDING,
        id_type=id_type,
        claimed_name=name,
        claimed_id_number=number,
        documents=stored,
        reason=note.strip()[:300],
    )
    record_about(
        LedgerEvent.REVIEW_REQUESTED,
        Actor.citizen(user),
        user,
        {"verification_id": verification.pk},
    )
    return verification


@transaction.atomic
def verification_review(
    *, verification_id: int, actor: Actor, approve: bool, reason: str = ""
) -> Verification:
    """Court staff decide a document review (在线诉讼规则第七条); approval makes the account
    verified. A court employee at their court decides, never the applicant
    (``policies.require_review``); a rejection gives its reason to the person."""
    policies.require_reviewer(actor)
    verification = (
        Verification.objects.select_for_update()
        .filter(pk=verification_id, status=VerificationStatus.PENDING)
        .first()
    )
    if verification is None:
        raise NotFound(_("没有找到待审核的申请"))
    actor = policies.require_review(actor, verification)
    reason = reason.strip()
    if not approve and not reason:
        raise InvalidInput(_("驳回须说明理由"), fields={"reason": _("请填写驳回理由")})
    from ..states import VERIFICATION

    user = verification.user
    if approve:  # before the decision: an ID another account holds is refused, nothing changes
        _set_identity(
            user,
            id_type=verification.id_type,
            name=verification.claimed_name,
            id_number=verification.claimed_id_number,
        )
    VERIFICATION.apply(
        verification,
        "approve" if approve else "reject",
        actor=actor,
        note=reason,
        updates={
            "reviewed_by": actor.user,
            "reviewed_at": timezone.now(),
            "reason": reason[:300] or verification.reason,
        },
    )
    notifications.notify(
        recipient=user,
        event="identity.verification_approved" if approve else "identity.verification_rejected",
        params={} if approve else {"reason": reason},
        url="/accounts/me/",
        idempotency_key=f"identity.reviewed:{verification.pk}",
    )
    return verification


@transaction.atomic
def verification_in_person(
    *, actor: Actor, user: User, id_type: str, name: str, id_number: str
) -> Verification:
    """Staff at a court or shared court (共享法庭) check the person and the original
    document face to face — at their court, never themselves
    (``policies.require_verify_in_person``)."""
    actor = policies.require_verify_in_person(actor, user)
    if id_type not in IdType.values:
        raise InvalidInput(_("请选择证件类型"), fields={"id_type": _("请选择证件类型")})
    number = id_number.strip().upper()
    if id_type == IdType.RESIDENT_ID:
        number = validate_resident_id(number)
    name = clean_name(name, max_length=100, missing=_("请填写姓名"))
    verification = Verification.objects.create(
        user=user,
        method=VerificationMethod.IN_PERSON,
        status=VerificationStatus.PASSED,
        id_type=id_type,
        claimed_name=name,
        claimed_id_number=number,
        reviewed_by=actor.user,
        reviewed_at=timezone.now(),
    )
    _set_identity(user, id_type=id_type, name=name.strip(), id_number=number)
    record_about(
        LedgerEvent.VERIFIED,
        actor,
        user,
        {"method": VerificationMethod.IN_PERSON, "court_id": actor.court_id},
    )
    return verification


def _set_identity(user: User, *, id_type: str, name: str, id_number: str) -> None:
    index = id_index(id_type, id_number)
    other = RealNameIdentity.objects.filter(id_index=index).exclude(user=user).exists()
    if other:
        raise InvalidInput(
            _("该证件已被另一个账号实名认证"), fields={"id_number": _("证件已被使用")}
        )
    RealNameIdentity.objects.update_or_create(
        user=user,
        defaults={"name": name, "id_type": id_type, "id_number": id_number, "id_index": index},
    )
    if not user.display_name:
        user.display_name = name
        user.save(update_fields=["display_name"])
