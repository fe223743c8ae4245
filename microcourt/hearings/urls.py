"""Hearing pages; each concern keeps its own routes beside its views."""

from .views import courtroom, public, records, scheduling

urlpatterns = [
    *scheduling.urlpatterns,
    *courtroom.urlpatterns,
    *records.urlpatterns,
    *public.urlpatterns,
]
