"""Hearing pages; each concern keeps its own routes beside its views."""

from .views import courtroom, public, records, scheduling, transcripts

urlpatterns = [
    *scheduling.urlpatterns,
    *courtroom.urlpatterns,
    *records.urlpatterns,
    *public.urlpatterns,
    *transcripts.urlpatterns,
]
