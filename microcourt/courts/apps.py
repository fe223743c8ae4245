from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourtsConfig(AppConfig):
    name = "microcourt.courts"
    label = "courts"
    verbose_name = _("法院")
