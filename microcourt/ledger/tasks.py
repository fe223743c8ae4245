import datetime as dt
import logging

from django_tasks import task

from microcourt.core.periodic import periodic

from . import actions, alerts
from .audit import audit

log = logging.getLogger(__name__)

# Every worker heartbeat: the sweep catches entries the after-commit integration missed.
SWEEP_EVERY = dt.timedelta(seconds=5)


@periodic(every=SWEEP_EVERY)
@task()
def ledger_sweep() -> int:
    """Integrate what the after-commit integration missed, and sign a checkpoint if due."""
    count = actions.integrate()
    actions.checkpoint_maybe()
    return count


@periodic(every=dt.timedelta(hours=1))
@task()
def ledger_audit() -> str:
    """Recompute every hash and signature; on a divergence log an error and alert."""
    actions.integrate(full=True)
    result = audit()
    if not result.ok:
        log.error("ledger audit failed: %s", result.divergence)
        alerts.alert_divergence(str(result.divergence))
    return str(result)
