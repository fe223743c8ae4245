import logging

from django_tasks import task

log = logging.getLogger(__name__)


@task()
def build(case_id: int, user_id: int, role: str, court_id: int | None) -> int | None:
    """Bind a dossier in the worker: a large case takes seconds (the page shows progress).

    The reader is loaded again as it is now (``courts.policies.actor_by_id``): a court role
    revoked, or a place on the panel lost, since the request no longer acts — the build is
    refused, and retrying would not change that."""
    from microcourt.cases import selectors as case_selectors
    from microcourt.core.errors import DomainError
    from microcourt.courts.policies import actor_by_id

    from . import actions

    try:
        actor = actor_by_id(user_id, role=role, court_id=court_id)
        case = case_selectors.case_for(actor, case_id)
        return actions.dossier_build(case=case, actor=actor).pk
    except (DomainError, LookupError):
        log.info("dossier build refused: case %s, user %s no longer reads it", case_id, user_id)
        return None
