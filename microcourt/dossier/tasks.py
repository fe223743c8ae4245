from django_tasks import task


@task()
def build(case_id: int, user_id: int, role: str, court_id: int | None) -> int:
    """Bind a dossier in the worker: a large case takes seconds (the page shows progress)."""
    from django.contrib.auth import get_user_model

    from microcourt.cases.models import Case
    from microcourt.core.actor import Actor

    from . import actions

    actor = Actor(user=get_user_model().objects.get(pk=user_id), role=role, court_id=court_id)
    return actions.dossier_build(case=Case.objects.get(pk=case_id), actor=actor).pk
