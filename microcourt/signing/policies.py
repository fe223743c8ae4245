"""Who may sign, seal, run the PKI and read signed documents (docs/adr/0001-policies.md).

signing sits below courts and cases (ARCHITECTURE §3): court roles come from the actor
(``Actor.roles_at``), and the court a seal belongs to is named by the caller, which holds the
court (its code and id from the same object, so the two cannot disagree).

- a signature request is signed only by its signer, after a fresh identity check
  (在线诉讼规则第七条); to anyone else it is "not found";
- it is withdrawn by whoever asked for it, or by the system for another app;
- a court's e-seal (电子印章) is applied by the system on a court's decision, or by that
  court's own staff — never by the public or another court's staff;
- the PKI's commands (init, seal, rotate, revoke, CRL) are the server operator's: the system
  acting for a command run on the server, or a platform operator (superuser);
- a signed request's documents are read by its signer (the public verify a file they hold).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import SYSTEM, Actor
from microcourt.core.errors import Forbidden, NotFound
from microcourt.identity import selectors as identity_selectors
from microcourt.identity.roles import EXTERNAL_ROLES

from .models import SignatureRequest

# How recent the face check before a signature must be (在线诉讼规则第七条).
FRESH_FOR = dt.timedelta(minutes=10)
SIGNER = "signer"
REQUESTER = "requester"

NOT_FOUND = _("没有找到这份待签署文件。")


# --- Signature requests -------------------------------------------------------------------------


def roles_of(actor: Actor, row: SignatureRequest) -> set[str]:
    """The actor's roles on a request, for ``signing.states``: its signer, whoever asked
    for it, the system."""
    if actor.is_system:
        return {SYSTEM}
    roles = set()
    if actor.user_id is not None and actor.user_id == row.signer_id:
        roles.add(SIGNER)
    if actor.user_id is not None and actor.user_id == row.created_by_id:
        roles.add(REQUESTER)
    return roles


def may_read_request(actor: Actor, row: SignatureRequest) -> bool:
    """The request, its document and the signed result: the signer's alone."""
    return not actor.is_system and actor.user_id is not None and actor.user_id == row.signer_id


def require_read_request(actor: Actor, row: SignatureRequest) -> None:
    if not may_read_request(actor, row):
        raise NotFound(NOT_FOUND)


def may_sign(actor: Actor, row: SignatureRequest) -> bool:
    return may_read_request(actor, row)


def require_sign(actor: Actor, row: SignatureRequest) -> None:
    """Only the named signer signs (anyone else: "not found"), and only after a fresh
    identity check: ``VerificationRequired`` (403) names where to do it."""
    require_read_request(actor, row)
    require_fresh_identity(actor, row.purpose)


def require_fresh_identity(actor: Actor, purpose: str) -> Any:
    """The face check a signature needs, no older than ``FRESH_FOR``; the verification."""
    return identity_selectors.require_fresh_verification(actor, purpose, FRESH_FOR)


def may_cancel(actor: Actor, row: SignatureRequest) -> bool:
    return actor.is_system or (actor.user_id is not None and actor.user_id == row.created_by_id)


def require_cancel(actor: Actor, row: SignatureRequest) -> None:
    if not may_cancel(actor, row):
        raise NotFound(_("没有找到这份签署请求。"))


# --- The court's e-seal -------------------------------------------------------------------------


def may_seal(actor: Actor, court_id: int | None) -> bool:
    """The system (a document the court issues on a decision), or a court employee at the
    court whose seal it is."""
    if actor.is_system:
        return True
    return court_id is not None and bool(actor.roles_at(court_id) - EXTERNAL_ROLES)


def require_seal(actor: Actor, court_id: int | None) -> None:
    if not may_seal(actor, court_id):
        raise Forbidden(_("只有本院工作人员可以加盖本院的电子印章。"), code="not_court_staff")


# --- The PKI's commands -------------------------------------------------------------------------


def may_run_pki(actor: Actor) -> bool:
    """``microcourt pki …`` runs as the system on the server; a platform operator
    (superuser) may do the same from an admin action."""
    if actor.is_system:
        return True
    user = actor.user
    return bool(user is not None and user.is_active and user.is_superuser)


def require_run_pki(actor: Actor) -> None:
    if not may_run_pki(actor):
        raise Forbidden(_("只有平台运维人员可以管理签名证书。"), code="pki_operator_only")
