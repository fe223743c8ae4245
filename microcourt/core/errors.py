"""The errors actions raise. Interfaces turn them into the one JSON error shape
(``{"error": {"code", "message", "fields"}}``) or a form error, in the user's language."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A refusal a user can act on. ``message`` and ``fields`` are user-facing (lazy gettext)."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        fields: dict[str, str | Promise] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.fields = dict(fields or {})
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {
            "error": {
                "code": self.code,
                "message": str(self.message),
                "fields": {name: str(reason) for name, reason in self.fields.items()},
            }
        }


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class NotFound(DomainError):
    """Also what a non-participant gets: "not allowed" and "not found" look the same."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """For acts on something the actor may see but not do (e.g. a clerk's decision)."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The state moved under the request (e.g. another clerk decided first)."""

    status = 409
    code = "conflict"


class Unprocessable(DomainError):
    status = 422
    code = "unprocessable"


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def form_refusal(exc: DomainError) -> tuple[dict, int]:
    """A refusal as a page's form shows it, and the page's status: "not yours" is a 404 like
    any other; "not allowed" (403) and "not now" (409) say so; bad input re-renders the form
    (200) with the message and each field's reason."""
    from django.http import Http404

    if isinstance(exc, NotFound):
        raise Http404 from None
    status = exc.status if exc.status in (403, 409) else 200
    return {
        "message": str(exc.message),
        "fields": {k: str(v) for k, v in exc.fields.items()},
    }, status
