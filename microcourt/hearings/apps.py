from django.apps import AppConfig


class HearingsConfig(AppConfig):
    name = "microcourt.hearings"
    label = "hearings"
    verbose_name = "庭审"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from microcourt.dossier import selectors as dossier_selectors

        # The hearings' notification texts, so the inbox renders them in the reader's
        # language wherever a hearing module has not been loaded yet.
        from . import (
            notices,  # noqa: F401
            selectors,
        )

        # Signed records (庭审笔录) go into the case's e-dossier; the dossier may not import
        # hearings, so hearings hands it the reader.
        dossier_selectors.register_source(_("庭审笔录"), selectors.dossier_items)
