from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingConfig(AppConfig):
    name = "microcourt.filing"
    label = "filing"
    verbose_name = _("网上立案")

    def ready(self) -> None:
        from . import rules

        rules.kind_rules()  # a broken case_kinds.json stops start-up, naming the file
