"""Every route that takes an upload, with the largest file it accepts (read by the upload
guard, ``microcourt/core/upload_guard.py``, through ``settings.UPLOAD_ROUTES``). A body over
its route's limit is refused with 413 before it is read; every other route takes at most
``UPLOAD_DEFAULT_MAX_MB``. The actions check the same limits again while they store: this
table only makes the refusal early. A new upload route belongs here."""

from __future__ import annotations

from django.conf import settings

from microcourt.assist.api import DEFAULT_MAX_UPLOAD_BYTES
from microcourt.core.upload_guard import Route
from microcourt.evidence import limits as evidence_limits
from microcourt.identity.actions.verifications import MAX_IMAGE_BYTES
from microcourt.ledger.api import MAX_VERIFY_BYTES
from microcourt.spaces.actions import MAX_UPLOAD_BYTES as SPACE_MAX_UPLOAD_BYTES

# Documents sent for staff review (foreigners; people the camera fails): a passport's pages.
REVIEW_DOCUMENTS = 5


def _filing() -> int:
    return int(settings.FILING_MAX_UPLOAD_BYTES)


def _ocr() -> int:
    return int(getattr(settings, "OCR_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _signing() -> int:
    return int(settings.SIGNING_VERIFY_MAX_MB) * 1024 * 1024


def _async_video() -> int:
    # 异步审理: a party's statement of a stage may be a video, as large as a video exhibit.
    return int(settings.EVIDENCE_MAX_VIDEO_MB) * 1024 * 1024


_EVIDENCE = {"max_file": evidence_limits.largest_limit, "per_file": evidence_limits.limit_for_head}

ROUTES = [
    # Evidence: each kind its own limit (images 20 MB … video 500 MB), told by the content.
    Route(r"^/cases/\d+/evidence/$", **_EVIDENCE),
    Route(r"^/api/v1/cases/\d+/exhibits$", **_EVIDENCE),
    # 异步审理: one video per post.
    Route(r"^/hearings/\d+/async/$", _async_video, field="video"),
    Route(r"^/api/v1/sessions/\d+/async/posts$", _async_video, field="video"),
    # Real-name verification: the ID card's two sides and a selfie, or documents for review.
    Route(r"^/accounts/verify/$", MAX_IMAGE_BYTES, field="", files=3),
    Route(r"^/accounts/verify/recheck/$", MAX_IMAGE_BYTES, field="", files=2),
    Route(r"^/accounts/verify/review/$", MAX_IMAGE_BYTES, "documents", REVIEW_DOCUMENTS),
    Route(r"^/api/v1/identity/verifications/id-card-face$", MAX_IMAGE_BYTES, field="", files=3),
    Route(r"^/api/v1/identity/verifications/recheck$", MAX_IMAGE_BYTES, field="", files=2),
    Route(
        r"^/api/v1/identity/verifications/review$", MAX_IMAGE_BYTES, "documents", REVIEW_DOCUMENTS
    ),
    Route(r"^/api/v1/identity/lawyer$", MAX_IMAGE_BYTES, field="licence_photo"),
    Route(r"^/api/v1/identity/organisations$", MAX_IMAGE_BYTES, field="licence_image"),
    Route(r"^/api/v1/identity/authorisations$", MAX_IMAGE_BYTES, field="document"),
    Route(r"^/api/v1/identity/(id-card|business-licence)/read$", _ocr, field="image"),
    # Filing: materials, the complaint for autofill, ID photos for autofill.
    Route(r"^/file/[^/]+/step/[^/]+/$", _filing),
    Route(r"^/api/v1/filing/filings/[^/]+/materials$", _filing),
    Route(r"^/api/v1/filing/autofill/complaint$", _filing),
    Route(r"^/api/v1/filing/autofill/(id-card|business-licence)$", _ocr, field="image"),
    # Service: the document the court serves.
    Route(r"^/cases/\d+/service/$", _filing),
    # Case space attachments.
    Route(r"^/api/v1/cases/\d+/space/messages$", SPACE_MAX_UPLOAD_BYTES),
    # Verification of a signed PDF, and of any file against the ledger (hashed, not stored).
    Route(r"^/verify/pdf/$", _signing),
    Route(r"^/api/v1/signing/verify$", _signing),
    Route(r"^/ledger/verify/$", MAX_VERIFY_BYTES),
    Route(r"^/api/v1/ledger/verify$", MAX_VERIFY_BYTES),
]
