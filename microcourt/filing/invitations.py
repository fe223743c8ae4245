"""Compatibility for callers outside the app (demo, the service app, the case page): the
invitations' writes live in ``actions.invitations``, the link's lookup in
``selectors.invitation_for``. New code imports ``actions`` and ``selectors``."""

from .actions.invitations import (
    invitation_accept,
    invitation_send,
    invitations_expire,
    link_url,
    participant_link_verified,
)
from .selectors import invitation_for

__all__ = [
    "invitation_accept",
    "invitation_for",
    "invitation_send",
    "invitations_expire",
    "link_url",
    "participant_link_verified",
]
