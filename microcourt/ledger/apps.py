from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "microcourt.ledger"
    label = "ledger"
    verbose_name = _("司法链存证")

    def ready(self) -> None:
        from . import checks, keys  # noqa: F401 — registers the system checks and the
        # signal that drops cached keys when a test changes a LEDGER_* setting
