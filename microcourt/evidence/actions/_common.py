"""What the evidence actions share: text fields, links and digests."""

from __future__ import annotations

import hashlib
import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import InvalidInput


def digest_of_json(payload: dict) -> str:
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def text(value: str | None, field: str, label, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("请填写%(f)s") % {"f": label}, fields={field: _("必填")})
    if len(value) > max_length:
        raise InvalidInput(
            _("%(f)s太长") % {"f": label},
            fields={field: _("不能超过 %(n)s 字") % {"n": max_length}},
        )
    return value


def exhibit_url(exhibit) -> str:
    return reverse("evidence:exhibit", args=[exhibit.case_id, exhibit.number])
