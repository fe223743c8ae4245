"""Who may read what in the ledger (docs/adr/0001-policies.md). The public part of every
entry, its proofs and the checkpoints are public by design (anyone verifies the log); the
private part — who acted, in which case, with what details — is for the administrators of
the entry's court and for platform operators. The ledger imports no domain app: the court
comes from the actor's ``court_roles`` and the entry's own data."""

from __future__ import annotations

from microcourt.core.actor import Actor

COURT_ADMIN = "court_admin"
OPERATOR = "superuser"


def private_reader(actor: Actor | None, court_id: int | None) -> Actor | None:
    """Who may read the private part of an entry about ``court_id``: that court's
    administrators (a role at another court counts for nothing) and platform operators;
    returned acting in the role the look is recorded under."""
    if actor is None or actor.user is None:
        return None
    if actor.holds(COURT_ADMIN, court_id):
        return actor.acting(COURT_ADMIN, court_id)
    if actor.user.is_superuser:
        return Actor(user=actor.user, role=OPERATOR, court_roles=actor.court_roles)
    return None
