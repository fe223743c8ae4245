from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "microcourt.payments"
    label = "payments"
    verbose_name = _("诉讼费与缴费")
