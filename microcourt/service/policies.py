"""Who may do what in 送达 (ADR 0001): functions of the actor and the case or the service,
called by the actions (so a page, the API and a direct POST meet the same rule) and used by
the selectors to scope reads.

- **Serving** is an act of the court done by the people the case was given to: the panel's
  judge, judge's assistant and clerk (民诉法第八十七条起: 送达 by the court's own staff). A
  mediator on the panel mediates; it does not serve the court's documents. The filing
  officer (立案法官) of the case's court serves what the filing produced — the complaint copy,
  the acceptance and evidence notices, the filing's evidence — as courts' 立案送达 does; a
  judgment, ruling, 调解书 or summons is the panel's. The division head and the court's
  administrator see every case of their court but serve nothing.
- **The 送达地址确认书** (在线诉讼规则第三十条) is the party's own statement: online only by the
  party itself or its representative; a statement made by phone or in writing is recorded by
  those who serve on the case (the panel's judge, assistant and clerk, or the filing officer
  — 立案 is where the form is usually taken). Recording it also records the party's consent
  to online service, which ``cases.policies.may_record_consent_for`` leaves to them too, not
  to a mediator.
- **Seeing**: the court side of the case sees every service on it; a party (or its
  representative) only the services on itself. Anyone else finds nothing (404).
- **The recipient's acts** — opening, asking for paper, signing the 送达回证 — belong to the
  recipient and whoever acts for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.core.actor import Actor
from microcourt.core.errors import Forbidden, NotFound

from .models import CONSENT_REQUIRED, DocumentKind, Method

# The panel roles that serve any of the case's documents.
SERVING_PANEL = frozenset({"judge", "judge_assistant", "clerk"})
FILING_OFFICER = "filing_officer"
# What the filing produced, which the filing officer may serve (立案送达).
FILING_DOCUMENTS = frozenset(
    {DocumentKind.COMPLAINT_COPY, DocumentKind.NOTICE, DocumentKind.EVIDENCE}
)
# Everyone who serves something somewhere (the clerk's desk is theirs).
SERVING_ROLES = SERVING_PANEL | {FILING_OFFICER}
# Who records a party's address statement made by phone or in writing.
RECORDING_ROLES = SERVING_ROLES


def _no_case():
    return NotFound(_("没有找到该案件"))


def _no_service():
    return NotFound(_("没有找到该送达记录"))


# --- Seeing --------------------------------------------------------------------------------


def own_party_ids(actor: Actor, case) -> set[int]:
    """The parties on this case the actor is, or acts for."""
    return {p.pk for p in case_policies.represented_parties(actor, case)}


def may_see_case(actor: Actor, case) -> bool:
    """The case's service page: its court side, or a party and its representatives."""
    return case_policies.is_court_side(actor, case) or bool(own_party_ids(actor, case))


def require_see_case(actor: Actor, case) -> None:
    if not may_see_case(actor, case):
        raise _no_case()


def services_q(actor: Actor, case) -> Q:
    """Which of the case's services the actor sees: all on the court side, else its own."""
    if case_policies.is_court_side(actor, case):
        return Q(case_id=case.pk)
    return Q(case_id=case.pk, recipient_id__in=own_party_ids(actor, case))


def is_recipient_side(actor: Actor, service) -> bool:
    """The recipient itself or its representative."""
    return service.recipient_id in own_party_ids(actor, service.case)


def may_read_documents(actor: Actor, service) -> bool:
    """The court side reads what it served; the recipient only after the identity check
    (opening), which is what makes reading an act of receipt."""
    if case_policies.is_court_side(actor, service.case):
        return True
    return is_recipient_side(actor, service) and service.opened_at is not None


# --- Serving -------------------------------------------------------------------------------


def may_serve(actor: Actor, case, kinds: Iterable[str] = ()) -> bool:
    """Whether the actor may serve documents of ``kinds`` on this case (any serving at all
    when no kinds are named)."""
    if actor.is_system:
        return False  # nothing is served without a person of the court deciding it
    roles = case_policies.case_roles(actor, case)
    if roles & SERVING_PANEL:
        return True
    if FILING_OFFICER in roles:
        return set(kinds) <= FILING_DOCUMENTS
    return False


def require_serve(actor: Actor, case, kinds: Iterable[str] = ()) -> None:
    """``NotFound`` without standing on the case; ``Forbidden`` with the reason otherwise."""
    kinds = set(kinds)
    if actor.is_system:
        raise Forbidden(_("送达须由本案的承办人员作出。"))
    roles = case_policies.case_roles(actor, case)
    if not roles:
        raise _no_case()
    if may_serve(actor, case, kinds):
        return
    if FILING_OFFICER in roles:
        raise Forbidden(
            _(
                "立案法官只能送达立案阶段的文书（起诉状副本、通知书、证据材料）；其他文书由承办法官、法官助理或书记员送达。"
            )
        )
    if "mediator" in roles:
        raise Forbidden(_("调解员不能送达诉讼文书，请由承办法官、法官助理或书记员送达。"))
    raise Forbidden(_("只有本案的承办法官、法官助理或书记员可以送达文书。"))


def require_record_result(actor: Actor, service) -> None:
    """The post office's answer is recorded by whoever may serve those documents."""
    require_serve(actor, service.case, {d.kind for d in service.documents.all()})


def require_settle(actor: Actor, case) -> None:
    """Asking the receipt engine again now: the court side (it only reads facts)."""
    if actor.is_system:
        return
    if not case_policies.case_roles(actor, case):
        raise _no_case()
    if not case_policies.is_court_side(actor, case):
        raise Forbidden(_("只有法院工作人员可以刷新送达状态。"))


def serving_cases_q(actor: Actor) -> Q:
    """The cases where the actor serves: on the panel as judge, assistant or clerk (while it
    still holds a role at the case's court), or every case of a court where it is the filing
    officer. For the desk's batch serving, whose documents are all the filing's."""
    if actor.is_system or actor.user_id is None:
        return Q(pk__in=[])
    courts_held = {court for court, _role in actor.held}
    return Q(
        participants__user_id=actor.user_id,
        participants__active=True,
        participants__role__in=SERVING_PANEL,
        court_id__in=courts_held,
    ) | Q(court_id__in=actor.courts_with({FILING_OFFICER}))


def may_use_desk(actor: Actor | None) -> bool:
    """The clerk's desk is for those who serve somewhere."""
    return actor is not None and bool(actor.courts_with(SERVING_ROLES))


# --- The party's address statement -----------------------------------------------------------


def require_confirm_address(actor: Actor, case, participant, method: str) -> None:
    """Online (平台内确认): the party itself or its representative. By phone or in writing:
    recorded by the court's people on the case (在线诉讼规则第三十条)."""
    roles = case_policies.case_roles(actor, case)
    if not roles or participant.case_id != case.pk:
        raise _no_case()
    if method in ("phone", "written"):
        if not roles & RECORDING_ROLES:
            raise Forbidden(_("电话或书面确认由法院工作人员记录"))
        return
    if participant.pk in own_party_ids(actor, case):
        return
    if case_policies.is_court_side(actor, case):
        raise Forbidden(
            _("平台内确认须由当事人本人或其代理人作出；电话或书面确认请选择相应方式记录。")
        )
    raise NotFound(_("没有找到该当事人"))


# --- The recipient's acts --------------------------------------------------------------------


def opens_as_recipient(actor: Actor, service) -> bool:
    """Whether the actor opens the service as its recipient (or representative): True; or,
    for a recipient not yet on the platform, by proving it is that person: False (the action
    then links the account after the identity check). The court side reads what it served
    but does not receive it (``Forbidden``); anyone else finds nothing."""
    if is_recipient_side(actor, service):
        return True
    if case_policies.is_court_side(actor, service.case):
        raise Forbidden(_("只有受送达人本人或其代理人可以签收送达的文书。"))
    if service.recipient.user_id is None:
        return False
    raise _no_service()


def require_recipient(actor: Actor, service) -> None:
    if not is_recipient_side(actor, service):
        raise _no_service()


def may_request_paper(actor: Actor, service) -> bool:
    return is_recipient_side(actor, service) and paper_copy_due(service)


def paper_copy_due(service) -> bool:
    """民诉法第九十条: a judgment, ruling or 调解书 served electronically is provided on paper
    when the recipient asks."""
    return service.method == Method.ELECTRONIC and any(
        d.kind in CONSENT_REQUIRED for d in service.documents.all()
    )


def require_paper_request(actor: Actor, service) -> None:
    require_recipient(actor, service)
    if service.method != Method.ELECTRONIC:
        raise Forbidden(_("该文书已以纸质方式送达，无需另行申请。"))
    if not paper_copy_due(service):
        raise Forbidden(
            _("纸质文书可就电子送达的判决书、裁定书、调解书申请（民事诉讼法第九十条）。")
        )
