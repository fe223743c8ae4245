from django import template

from ..labels import shown

register = template.Library()


@register.filter
def fee_text(value) -> str:
    """A fee line or basis stored on an order, in the reader's language (``labels.shown``)."""
    return shown(value)
