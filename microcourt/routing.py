from django.urls import path

from microcourt.hearings.consumers import HearingConsumer
from microcourt.notifications.consumers import NotificationConsumer
from microcourt.spaces.consumers import SpaceConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/cases/<int:case_id>/space/", SpaceConsumer.as_asgi()),
    path("ws/hearings/<int:session_id>/", HearingConsumer.as_asgi()),
]
