"""The hearings API (/api/v1/…): sessions of a case, joining, the judge's controls, the
attendance log, recordings and public hearings. Anyone outside a session's cases gets 404."""

from ninja import Router

from . import control, public, records, scheduling, sessions, transcripts

router = Router(tags=["hearings"])
for part in (sessions, scheduling, control, records, public, transcripts):
    router.add_router("", part.router)
