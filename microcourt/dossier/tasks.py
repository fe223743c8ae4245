import logging

from django_tasks import task

log = logging.getLogger(__name__)


@task()
def build(
    case_id: int, user_id: int, role: str, court_id: int | None, job_id: int | None = None
) -> int | None:
    """Bind a dossier in the worker (the page shows the job: queued, building, failed with
    the reason). Safe to run twice: the job is claimed once (``actions.dossier_build``).

    The reader is loaded again as it is now (``courts.policies.actor_by_id``): a court role
    revoked, or a place on the panel lost, since the request no longer acts — the build is
    refused, and retrying would not change that. A render over its budget fails the job,
    not the task: running it again would only take as long again."""
    from microcourt.cases import selectors as case_selectors
    from microcourt.core.errors import DomainError
    from microcourt.core.pdf import RenderTimeout
    from microcourt.courts.policies import actor_by_id

    from . import actions
    from .models import DossierJob

    job = DossierJob.objects.filter(pk=job_id).first() if job_id is not None else None
    try:
        actor = actor_by_id(user_id, role=role, court_id=court_id)
        case = case_selectors.case_for(actor, case_id)
        built = actions.dossier_build(case=case, actor=actor, job=job)
    except RenderTimeout:
        log.warning("dossier build over its render budget: case %s, job %s", case_id, job_id)
        return None
    except (DomainError, LookupError):
        log.info("dossier build refused: case %s, user %s no longer reads it", case_id, user_id)
        if job is not None:
            actions.dossier_refuse(job=job)
        return None
    return built.pk if built is not None else None
