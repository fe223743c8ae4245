"""Document readers for other parts of the platform (filing auto-fill, real-name
verification, shared courts). The uploaded image is read in memory and discarded: nothing
is stored, and neither the image nor what was read is logged."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Router, UploadedFile

from microcourt.core import uploads

from . import idcard
from .schemas import BusinessLicenceOut, IdCardFrontOut

router = Router(tags=["identity"])

DEFAULT_MAX_UPLOAD_BYTES = 8 * 1024 * 1024

# The parameter is optional in Python so that a missing photo gets the platform's own
# message naming ``image``; the published schema still says what a client must send.
IMAGE_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["image"],
                    "properties": {
                        "image": {
                            "type": "string",
                            "format": "binary",
                            "description": "JPG, PNG or WebP, at most 8 MB",
                        }
                    },
                }
            }
        }
    }
}


def _image_bytes(image: UploadedFile | None) -> bytes:
    """The upload's bytes once its size (stopping at the limit) and real type are acceptable."""
    limit = int(getattr(settings, "OCR_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))
    data = uploads.read_limited(image, field="image", max_bytes=limit)
    uploads.sniff(data, field="image", allowed=uploads.IMAGES)
    return data


@router.post("/identity/id-card/read", response=IdCardFrontOut, openapi_extra=IMAGE_BODY)
def read_id_card(request: HttpRequest, image: File[UploadedFile | None] = None):
    """Read the portrait side of a second-generation resident ID card (multipart field
    `image`, JPG/PNG/WebP up to 8 MB). 422 when no card can be read in the photo."""
    return idcard.read_id_card_front(_image_bytes(image))


@router.post(
    "/identity/business-licence/read", response=BusinessLicenceOut, openapi_extra=IMAGE_BODY
)
def read_business_licence(request: HttpRequest, image: File[UploadedFile | None] = None):
    """Read a business licence (营业执照, multipart field `image`, JPG/PNG/WebP up to 8 MB).
    422 when neither the name nor the unified social credit code can be read."""
    return idcard.read_business_licence(_image_bytes(image))
