"""Pages of online filing (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


start = detail = step = receipt = material = desk = review = case = link = _todo
