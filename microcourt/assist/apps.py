from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "microcourt.assist"
    label = "assist"
    verbose_name = _("智能辅助")
