from django import template

from ..labels import shown

register = template.Library()


@register.filter
def dossier_text(value) -> str:
    """A catalogue text stored on a build, in the reader's language (``labels.shown``)."""
    return shown(value)
