from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from . import actions, selectors
from .schemas import NotificationOut, ReadOut

router = Router(tags=["notifications"])


@router.get("/notifications", response=list[NotificationOut])
@paginate
def list_notifications(request: HttpRequest):
    return selectors.inbox(request.auth)


@router.post("/notifications/{notification_id}/read", response=ReadOut)
def mark_read(request: HttpRequest, notification_id: int):
    actions.notification_mark_read(user=request.auth, notification_id=notification_id)
    return {"unread": actions.unread_count(request.auth.pk)}
