from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "microcourt.signing"
    label = "signing"
    verbose_name = _("电子签名与电子印章")
