from django.http import Http404
from django.shortcuts import render

from microcourt.core.errors import NotFound

from . import selectors


def browse(request):
    """Province → city → court."""
    province = request.GET.get("province", "")
    city = request.GET.get("city", "")
    q = request.GET.get("q", "").strip()
    context = {"province": province, "city": city, "q": q, "tab": "home"}
    if q:
        context["courts"] = selectors.courts(q=q)
    elif province and city:
        context["courts"] = selectors.courts(province=province, city=city)
    elif province:
        context["cities"] = selectors.cities(province)
        context["courts"] = selectors.courts(province=province).filter(city="")
    else:
        context["provinces"] = selectors.provinces()
        context["supreme"] = selectors.courts(level="supreme")
    template = "courts/browse.html#results" if request.htmx else "courts/browse.html"
    return render(request, template, context)


def detail(request, code: str):
    try:
        court = selectors.court(code)
    except NotFound as exc:
        raise Http404(str(exc.message)) from None
    return render(
        request,
        "courts/detail.html",
        {
            "court": court,
            "links": selectors.map_links(court),
            "tab": "home",
            "children": selectors.courts().filter(parent=court),
        },
    )
