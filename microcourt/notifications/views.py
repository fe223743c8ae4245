from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import actions, selectors


@login_required
def inbox(request):
    page = Paginator(selectors.inbox(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "tab": "inbox"})


@require_POST
@login_required
def mark_read(request, notification_id: int):
    actions.notification_mark_read(user=request.user, notification_id=notification_id)
    row = selectors.inbox(request.user).filter(pk=notification_id).first()
    if request.htmx and row is not None:
        return render(request, "notifications/inbox.html#item", {"n": row})
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request):
    actions.notifications_mark_all_read(user=request.user)
    return redirect("notifications:inbox")
