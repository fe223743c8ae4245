from django.apps import AppConfig


class HearingsConfig(AppConfig):
    name = "microcourt.hearings"
    label = "hearings"
    verbose_name = "庭审"

    def ready(self) -> None:
        # The hearings' notification texts, so the inbox renders them in the reader's
        # language wherever a hearing module has not been loaded yet.
        from . import notices  # noqa: F401
