"""``{% court_emblem %}``: the national emblem over a courtroom header, when configured."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from ..emblem import emblem_file

register = template.Library()


@register.simple_tag
def court_emblem() -> str:
    if emblem_file() is None:
        return ""
    return format_html(
        '<img class="hr-emblem" src="{}" alt="{}" width="48" height="48">',
        reverse("hearing_emblem"),
        gettext("中华人民共和国国徽"),
    )
