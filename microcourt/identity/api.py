import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Status, UploadedFile

from microcourt.core import uploads
from microcourt.core.actor import actor_of
from microcourt.core.errors import InvalidInput, NotFound

from . import actions, logins, selectors
from .schemas import (
    ApiTokenOut,
    AuthorisationIn,
    AuthorisationOut,
    LawyerOut,
    MeOut,
    OrganisationOut,
    TokenIn,
    TokenOut,
    VerificationLevelOut,
    VerificationOut,
)

router = Router(tags=["identity"])


@router.post("/auth/token", response=TokenOut, auth=None)
def obtain_token(request: HttpRequest, payload: TokenIn):
    """Username (or phone, or e-mail) and password → a bearer token for
    `Authorization: Bearer …`. Too many failures: 429 with `Retry-After`."""
    key = actions.api_token_issue(**payload.dict(), client_ip=logins.client_ip(request))
    return {"token": key}


@router.get("/identity/tokens", response=list[ApiTokenOut])
def my_tokens(request: HttpRequest):
    """The caller's tokens that still work: prefix, name, dates — never the key."""
    return selectors.api_tokens(request.auth)


@router.delete("/identity/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: int):
    """Revoke one of the caller's tokens (another's: 404)."""
    actions.api_token_revoke(actor=actor_of(request), token_id=token_id)
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    return selectors.profile(request.auth)


def _bytes(upload: UploadedFile | None, field: str) -> bytes | None:
    if upload is None:
        return None
    return uploads.read_limited(upload, field=field, max_bytes=actions.MAX_IMAGE_BYTES)


def _required(upload: UploadedFile | None, field: str) -> bytes:
    data = _bytes(upload, field)
    if data is None:
        raise InvalidInput(_("缺少文件"), fields={field: _("请上传照片")})
    return data


@router.get("/identity/verification", response=VerificationLevelOut)
def verification_level(request: HttpRequest):
    """unverified / verified (method, time) / expired."""
    return selectors.verification_level(request.auth)


@router.post("/identity/verifications/id-card-face", response=VerificationOut)
def verify_id_card_face(
    request: HttpRequest,
    name: Form[str],
    id_number: Form[str],
    id_front: File[UploadedFile] = None,
    selfie: File[UploadedFile] = None,
    id_back: File[UploadedFile] = None,
):
    """Real-name verification: typed name and number, ID-card photos, a live selfie."""
    evidence = actions.Evidence(
        name=name,
        id_number=id_number,
        id_front=_required(id_front, "id_front"),
        selfie=_required(selfie, "selfie"),
        id_back=_bytes(id_back, "id_back"),
    )
    return actions.verification_by_id_card_and_face(user=request.auth, evidence=evidence)


@router.post("/identity/verifications/recheck", response=VerificationOut)
def verify_recheck(
    request: HttpRequest,
    purpose: Form[str],
    id_front: File[UploadedFile] = None,
    selfie: File[UploadedFile] = None,
):
    """Face re-check before a hearing, mediation or evidence exchange."""
    return actions.verification_face_recheck(
        user=request.auth,
        purpose=purpose,
        selfie=_required(selfie, "selfie"),
        reference=_required(id_front, "id_front"),
    )


@router.post("/identity/verifications/review", response=VerificationOut)
def verify_by_review(
    request: HttpRequest,
    id_type: Form[str],
    name: Form[str],
    id_number: Form[str],
    documents: File[list[UploadedFile]],
    note: Form[str] = "",
):
    """Documents for staff review (foreigners; people the camera fails)."""
    return actions.verification_request_review(
        user=request.auth,
        id_type=id_type,
        name=name,
        id_number=id_number,
        documents=documents,
        note=note,
    )


@router.get("/identity/me/data")
def my_data(request: HttpRequest):
    """Everything the platform holds about the caller, and who viewed it."""
    return actions.personal_data_export(actor=actor_of(request), user=request.auth)


@router.post("/identity/lawyer", response=LawyerOut)
def lawyer_apply(
    request: HttpRequest,
    licence_number: Form[str],
    law_firm: Form[str],
    licence_photo: File[UploadedFile] = None,
):
    return actions.lawyer_apply(
        user=request.auth,
        licence_number=licence_number,
        law_firm=law_firm,
        licence_photo=licence_photo,
    )


@router.post("/identity/organisations", response=OrganisationOut)
def organisation_register(
    request: HttpRequest, name: Form[str], uscc: Form[str], licence_image: File[UploadedFile] = None
):
    return actions.organisation_register(
        user=request.auth, name=name, uscc=uscc, licence_image=licence_image
    )


@router.post("/identity/organisations/{organisation_id}/members")
def organisation_member(request: HttpRequest, organisation_id: int, username: Form[str]):
    """The legal representative authorises an employee (a verified account)."""
    organisation = selectors.organisation_by_id(organisation_id)
    employee = selectors.user_by_username(username)
    if organisation is None or employee is None:
        raise NotFound(_("没有找到单位或用户"))
    membership = actions.organisation_authorise_employee(
        organisation=organisation, actor=actor_of(request), employee=employee
    )
    return {"id": membership.pk, "role": membership.role}


@router.post("/identity/authorisations", response=AuthorisationOut)
def authorisation_grant(request: HttpRequest, payload: AuthorisationIn):
    agent = selectors.user_by_username(payload.agent_username)
    if agent is None:
        raise NotFound(_("没有找到受托人账号"), fields={"agent_username": _("请核对用户名")})
    organisation = None
    if payload.organisation_id is not None:
        organisation = selectors.organisation_by_id(payload.organisation_id)
        if organisation is None:
            raise NotFound(_("没有找到该单位"), fields={"organisation_id": _("请核对单位")})
    try:
        valid_from = dt.date.fromisoformat(payload.valid_from)
        valid_until = dt.date.fromisoformat(payload.valid_until) if payload.valid_until else None
    except ValueError:
        raise InvalidInput(
            _("日期格式应为 YYYY-MM-DD"), fields={"valid_from": _("日期格式不正确")}
        ) from None
    return actions.authorisation_grant(
        principal=request.auth,
        agent=agent,
        scope=payload.scope,
        powers=payload.powers,
        valid_from=valid_from,
        valid_until=valid_until,
        organisation=organisation,
        case_id=payload.case_id,
    )
