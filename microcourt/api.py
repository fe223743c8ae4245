"""The one JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Every error leaves in one shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from microcourt.assist.api import router as assist_router
from microcourt.caseapi import router as case_detail_router
from microcourt.cases.api import router as cases_router
from microcourt.core import bad_input
from microcourt.core.errors import DomainError, error_body
from microcourt.courts.api import router as courts_router
from microcourt.dossier.api import router as dossier_router
from microcourt.evidence.api import router as evidence_router
from microcourt.filing.api import router as filing_router
from microcourt.hearings.api import router as hearings_router
from microcourt.identity import actions as identity_actions
from microcourt.identity.api import router as identity_router
from microcourt.ledger.api import router as ledger_router
from microcourt.notifications.api import router as notifications_router
from microcourt.payments.api import router as payments_router
from microcourt.service.api import router as service_router
from microcourt.signing.api import router as signing_router
from microcourt.spaces.api import router as spaces_router

log = logging.getLogger(__name__)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        return identity_actions.api_token_user(token)


class UnicodeJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese stays readable in responses


class CsrfSessionAuth(SessionAuth):
    """Session log-in from our own pages; ninja enforces CSRF for it."""


class CheckedParser(Parser):
    """ninja's parser, refusing by name a string no field can hold (a NUL character, a lone
    surrogate, one longer than any text we take) before a schema, an action or the database
    sees it. Covers the form fields of multipart requests, which the middleware leaves
    unread (core/bad_input.py)."""

    def parse_body(self, request: HttpRequest):
        return bad_input.parse_checked(request.body)

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        result = super().parse_querydict(data, list_fields, request)
        bad_input.check_mapping(result.items())
        return result


class OneShapeAPI(NinjaAPI):
    """ninja answers a method a path does not take (``TRACE /api/v1/me``) with a plain-text
    405 of its own, past every exception handler: here it leaves in the error shape too."""

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if hasattr(pattern, "callback"):
                pattern.callback = _not_allowed_in_shape(pattern.callback)
        return urls


def _not_allowed_in_shape(view):
    @functools.wraps(view)  # keeps csrf_exempt
    def answer(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        code, message = HTTP_ERRORS[405]
        refusal = api.create_response(request, error_body(code, str(message)), status=405)
        refusal["Allow"] = response["Allow"]
        return refusal

    return answer


api = OneShapeAPI(
    title="microcourt API",
    version="1",
    description="Online litigation platform. Authenticate with a session or "
    "`Authorization: Bearer <token>` from POST /api/v1/auth/token.",
    auth=[BearerAuth(), CsrfSessionAuth()],
    urls_namespace="api",
    renderer=UnicodeJSONRenderer(),
    parser=CheckedParser(),
)
api.add_router("", identity_router)
api.add_router("", assist_router)
api.add_router("", courts_router)
api.add_router("", cases_router)  # GET /cases (my cases)
api.add_router("", case_detail_router)  # GET /cases/{case_id}
api.add_router("", notifications_router)
api.add_router("", ledger_router)
api.add_router("", payments_router)
api.add_router("", filing_router)
api.add_router("", evidence_router)
api.add_router("", spaces_router)
api.add_router("", hearings_router)
api.add_router("", dossier_router)
api.add_router("", signing_router)
api.add_router("", service_router)


def _field_name(loc: tuple) -> str:
    parts = [
        str(p) for p in loc if p not in ("body", "query", "path", "form", "payload", "filters")
    ]
    return ".".join(parts) or "body"


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if getattr(exc, "retry_after", None):  # a 429: when the client may try again
        response["Retry-After"] = str(exc.retry_after)
    return response


def _reason(err: dict) -> str:
    """pydantic's reason in the user's language for the kinds a client meets; its own
    (English) words otherwise."""
    kind, context = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing":
        return _("必填")
    if kind == "string_too_long":
        return _("不能超过 %(n)s 个字符") % {"n": context.get("max_length", "?")}
    if kind == "string_too_short":
        return _("至少需要 %(n)s 个字符") % {"n": context.get("min_length", "?")}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("应为整数")
    if kind == "less_than_equal":
        return _("不能大于 %(n)s") % {"n": context.get("le", "?")}
    if kind == "greater_than_equal":
        return _("不能小于 %(n)s") % {"n": context.get("ge", "?")}
    if kind == "string_type":
        return _("应为文本")
    if kind == "list_type":
        return _("应为列表")
    if kind in ("bool_parsing", "bool_type"):
        return _("应为 true 或 false")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return _("日期格式应为 2026-01-31")
    return err.get("msg") or _("格式不正确")


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = {}
    for err in exc.errors:
        fields[_field_name(tuple(err.get("loc", ())))] = _reason(err)
    return api.create_response(
        request, error_body("invalid", _("提交的内容有误，请检查标出的字段。"), fields), status=400
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request,
        error_body("unauthenticated", _("请先登录，或在请求中携带有效的令牌。")),
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, error_body("not_found", _("没有找到。")), status=404)


HTTP_ERRORS = {
    400: ("invalid", gettext_lazy("请求内容无法解析，请提交有效的 JSON。")),
    401: ("unauthenticated", gettext_lazy("请先登录，或在请求中携带有效的令牌。")),
    403: ("forbidden", gettext_lazy("您没有执行此操作的权限。")),
    404: ("not_found", gettext_lazy("没有找到。")),
    405: ("method_not_allowed", gettext_lazy("该接口不支持此请求方法。")),
}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # ninja wraps what the parser raised
        return domain_error(request, exc.__cause__)
    code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", str(exc)))
    return api.create_response(request, error_body(code, str(message)), status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    return bad_input.too_large(request)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def too_many_fields(request, exc):
    return bad_input.too_many_fields(request)


@api.exception_handler(Exception)
def server_error(request, exc):
    if bad_input.is_unstorable_value(exc):  # a value the database refused: the client's
        log.warning("value refused by the database: %s", exc)
        return bad_input.unstorable(request)
    log.exception("unhandled API error")
    return api.create_response(
        request,
        error_body(
            "server_error",
            _("服务器出错了，请稍后再试。请求编号：%(id)s")
            % {"id": getattr(request, "request_id", "-")},
        ),
        status=500,
    )
