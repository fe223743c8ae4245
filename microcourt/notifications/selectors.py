from django.db.models import QuerySet

from .models import Channel, Notification


def inbox(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=Channel.INAPP).order_by(
        "-created_at", "-pk"
    )
