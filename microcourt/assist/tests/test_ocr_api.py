"""The document-reader API: the published ID-card contract, authentication, and every way
an upload can be wrong (type, size, content), each answered in the one error shape."""

from __future__ import annotations

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from microcourt.assist.ocr import OcrEngine

from . import cards

ID_CARD_URL = "/api/v1/identity/id-card/read"
LICENCE_URL = "/api/v1/identity/business-licence/read"
CONTRACT_KEYS = {
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "address",
    "id_number",
    "id_number_valid",
    "confidence",
}


@pytest.fixture
def zhang_client(client: Client, plaintiff_zhang) -> Client:
    client.force_login(plaintiff_zhang)
    return client


def upload(data: bytes, name: str = "card.png", content_type: str = "image/png") -> dict:
    return {"image": SimpleUploadedFile(name, data, content_type=content_type)}


def assert_error(response, status: int, field: str = "image") -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert field in body["error"]["fields"]
    return body["error"]


def test_contract_path_is_served_by_the_platform_api(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert {ID_CARD_URL, LICENCE_URL} <= set(spec["paths"])


def test_reading_a_card_returns_exactly_the_published_shape(
    zhang_client: Client, ocr_engine: OcrEngine, caplog
) -> None:
    caplog.set_level(logging.DEBUG)

    response = zhang_client.post(ID_CARD_URL, upload(cards.render_id_card_front()))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == CONTRACT_KEYS
    confidence = body.pop("confidence")
    assert isinstance(confidence, float) and 0.9 <= confidence <= 1.0
    assert body == {
        "name": "张三",
        "gender": "男",
        "ethnicity": "汉",
        "birth_date": "1990-01-01",
        "address": "浙江省宁波市海曙区某某路1号",
        "id_number": cards.ZHANG_SAN_ID,
        "id_number_valid": True,
    }
    assert cards.ZHANG_SAN_ID not in caplog.text  # never logged


def test_a_degraded_jpeg_photo_is_read_too(zhang_client: Client, ocr_engine: OcrEngine) -> None:
    photo = cards.degrade(cards.render_id_card_front())

    response = zhang_client.post(ID_CARD_URL, upload(photo, "IMG_0001.jpg", "image/jpeg"))

    assert response.status_code == 200, response.content
    assert response.json()["id_number"] == cards.ZHANG_SAN_ID


def test_an_anonymous_caller_gets_401(client: Client, plaintiff_zhang) -> None:
    response = client.post(ID_CARD_URL, upload(cards.render_id_card_front()))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_text_file_renamed_png_is_refused_naming_the_field(zhang_client: Client) -> None:
    response = zhang_client.post(ID_CARD_URL, upload("这不是图片\n".encode() * 50, "card.png"))

    error = assert_error(response, 400)
    # What was detected (a text file), not what was claimed, in words people use.
    assert "文本 TXT" in error["fields"]["image"]


def test_a_truncated_png_is_unprocessable(zhang_client: Client) -> None:
    response = zhang_client.post(ID_CARD_URL, upload(cards.render_id_card_front()[:300]))

    assert assert_error(response, 422)["code"] == "image_unreadable"


def test_a_photo_without_a_card_is_unprocessable(
    zhang_client: Client, ocr_engine: OcrEngine
) -> None:
    response = zhang_client.post(ID_CARD_URL, upload(cards.render_gradient_photo()))

    error = assert_error(response, 422)
    assert error["message"] == "没有识别到身份证，请对准身份证人像面重新拍摄"


def test_an_oversize_upload_is_refused_before_decoding(zhang_client: Client) -> None:
    # Starts like a PNG so only the size can be what is wrong.
    oversize = b"\x89PNG\r\n\x1a\n" + b"\0" * (8 * 1024 * 1024)

    response = zhang_client.post(ID_CARD_URL, upload(oversize))

    assert "8 MB" in assert_error(response, 413)["fields"]["image"]


def test_a_request_without_an_image_names_the_field(zhang_client: Client) -> None:
    response = zhang_client.post(ID_CARD_URL, {})

    assert_error(response, 400)


def test_reading_a_business_licence(zhang_client: Client, ocr_engine: OcrEngine) -> None:
    response = zhang_client.post(LICENCE_URL, upload(cards.render_business_licence()))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body.pop("confidence") >= 0.9
    assert body == {
        "name": "宁波某某贸易有限公司",
        "uscc": cards.SAMPLE_USCC,
        "uscc_valid": True,
        "legal_representative": "李四",
        "address": "浙江省宁波市海曙区某某路88号1201室",
        "kind": "有限责任公司(自然人投资或控股)",
        "founded": "2018-06-15",
    }


def test_a_picture_that_is_no_licence_is_unprocessable(
    zhang_client: Client, ocr_engine: OcrEngine
) -> None:
    response = zhang_client.post(LICENCE_URL, upload(cards.render_id_card_back()))

    assert assert_error(response, 422)["code"] == "licence_unreadable"
