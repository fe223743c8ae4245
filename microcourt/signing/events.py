"""Ledger entry codes of the signing app (block 19000–19999). Permanent: never renumber."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    SEAL_APPLIED = 19001, _("加盖电子印章")
    SIGNATURE_APPLIED = 19002, _("电子签名")
    CERTIFICATE_ISSUED = 19010, _("签发数字证书")
    CERTIFICATE_ROTATED = 19011, _("轮换数字证书")
    CERTIFICATE_REVOKED = 19012, _("吊销数字证书")
    CRL_ISSUED = 19013, _("发布证书吊销列表")
    REQUEST_CREATED = 19020, _("发起签署请求")
    REQUEST_CANCELLED = 19021, _("撤回签署请求")
    REQUEST_SIGNED = 19022, _("签署请求已签署")
