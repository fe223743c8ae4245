"""Logging filters: the request id on every line, and no personal data ever written.

Masking happens on the formatted message, so a careless ``log.info("%s", phone)``
cannot leak a phone number, ID number or e-mail address into the logs.
"""

from __future__ import annotations

import logging
import re

from .middleware import current_request_id

# 18-digit resident ID numbers (last may be X), mainland mobile numbers, e-mail addresses.
_PATTERNS = [
    (re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)"), r"\1**********\2"),
    (re.compile(r"(?<!\d)(\+?86)?(1[3-9]\d)\d{4}(\d{4})(?!\d)"), r"\2****\3"),
    (
        re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})"),
        r"\1***@\2",
    ),
]


def scrub(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_text is None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True
