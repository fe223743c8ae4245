"""Reading ID cards and business licences: rendered documents through the real rapidocr
engine, then the parsers on hand-made OCR lines for the cases photos rarely produce on
demand (bad checksums, impossible dates, misread characters, contradictions)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from microcourt.assist import idcard
from microcourt.assist.idcard import (
    normalize_credit_code,
    normalize_id_number,
    parse_business_licence,
    parse_id_card_back,
    parse_id_card_front,
)
from microcourt.assist.ocr import OcrEngine, OcrLine, decode_image, get_engine, reading_order
from microcourt.core.errors import Unprocessable

from . import cards

ZHANG_SAN = {
    "name": "张三",
    "gender": "男",
    "ethnicity": "汉",
    "birth_date": dt.date(1990, 1, 1),
    "address": "浙江省宁波市海曙区某某路1号",
    "id_number": cards.ZHANG_SAN_ID,
}
# A woman from a minority with a three-line address: a longer name, a two-character
# ethnicity that starts like another (土家/土), wrapped address lines.
OUYANG_NANA = {
    "name": "欧阳娜娜",
    "gender": "女",
    "ethnicity": "土家",
    "birth_date": dt.date(1985, 12, 31),
    "address": "湖北省恩施土家族苗族自治州恩施市舞阳坝街道某某社区三组128号",
    "id_number": "422801198512310026",
}
PEOPLE = pytest.mark.parametrize("person", [ZHANG_SAN, OUYANG_NANA], ids=["zhang", "ouyang"])


def fields_of(card: idcard.IdCardFront) -> dict:
    return {key: getattr(card, key) for key in ZHANG_SAN}


# --- rendered documents through the real engine -------------------------------------------


@PEOPLE
def test_a_clean_card_front_gives_every_field(ocr_engine: OcrEngine, person: dict) -> None:
    card = idcard.read_id_card_front(cards.render_id_card_front(**person), engine=ocr_engine)

    assert fields_of(card) == person
    assert card.id_number_valid
    assert card.issues == ()
    assert card.confidence >= 0.9


@PEOPLE
def test_a_degraded_photo_of_the_front_still_gives_every_field(
    ocr_engine: OcrEngine, person: dict
) -> None:
    photo = cards.degrade(cards.render_id_card_front(**person))  # 60 %, 4°, blur, noise, q40

    card = idcard.read_id_card_front(photo, engine=ocr_engine)

    assert fields_of(card) == person
    assert card.id_number_valid
    assert card.confidence >= 0.8


def test_a_phone_photo_stored_sideways_is_turned_upright_by_its_exif_tag(
    ocr_engine: OcrEngine,
) -> None:
    upright = Image.open(io.BytesIO(cards.render_id_card_front()))
    # Phones keep the sensor's landscape pixels and record "rotate 90° clockwise to view".
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    sideways.save(buffer, format="JPEG", quality=90, exif=exif.tobytes())

    card = idcard.read_id_card_front(buffer.getvalue(), engine=ocr_engine)

    assert fields_of(card) == ZHANG_SAN


@pytest.mark.parametrize("degraded", [False, True], ids=["clean", "degraded"])
@pytest.mark.parametrize(
    ("authority", "valid_until"),
    [
        ("宁波市公安局海曙分局", dt.date(2035, 3, 1)),
        ("恩施土家族苗族自治州公安局恩施市分局", None),
    ],
    ids=["twenty-years", "long-term"],
)
def test_the_back_gives_authority_and_validity(
    ocr_engine: OcrEngine, authority: str, valid_until: dt.date | None, degraded: bool
) -> None:
    image = cards.render_id_card_back(
        issuing_authority=authority, valid_from=dt.date(2015, 3, 1), valid_until=valid_until
    )

    back = idcard.read_id_card_back(cards.degrade(image) if degraded else image, engine=ocr_engine)

    assert back.issuing_authority == authority
    assert back.valid_from == dt.date(2015, 3, 1)
    assert back.valid_until == valid_until
    assert back.long_term is (valid_until is None)
    assert back.issues == ()
    assert back.confidence >= 0.8


@pytest.mark.parametrize("degraded", [False, True], ids=["clean", "degraded"])
def test_a_business_licence_gives_its_fields(ocr_engine: OcrEngine, degraded: bool) -> None:
    image = cards.render_business_licence()

    licence = idcard.read_business_licence(
        cards.degrade(image) if degraded else image, engine=ocr_engine
    )

    assert licence == idcard.BusinessLicence(
        name="宁波某某贸易有限公司",
        uscc=cards.SAMPLE_USCC,
        uscc_valid=True,
        legal_representative="李四",
        address="浙江省宁波市海曙区某某路88号1201室",
        kind="有限责任公司(自然人投资或控股)",
        founded=dt.date(2018, 6, 15),
        confidence=licence.confidence,
    )
    assert licence.confidence >= 0.8


def test_a_sole_traders_licence_uses_its_own_labels(ocr_engine: OcrEngine) -> None:
    image = cards.render_business_licence(
        name="宁波市海曙区某某餐饮服务部",
        kind="个体工商户",
        representative="王五",
        representative_label="经营者",
        address_label="经营场所",
    )

    licence = idcard.read_business_licence(image, engine=ocr_engine)

    assert (licence.name, licence.kind, licence.legal_representative) == (
        "宁波市海曙区某某餐饮服务部",
        "个体工商户",
        "王五",
    )
    assert licence.address == "浙江省宁波市海曙区某某路88号1201室"


def test_a_photo_without_a_card_is_unprocessable(ocr_engine: OcrEngine) -> None:
    with pytest.raises(Unprocessable) as caught:
        idcard.read_id_card_front(cards.render_gradient_photo(), engine=ocr_engine)

    assert str(caught.value.message) == "没有识别到身份证，请对准身份证人像面重新拍摄"
    assert "image" in caught.value.fields


def test_the_back_side_offered_as_the_front_is_unprocessable(ocr_engine: OcrEngine) -> None:
    with pytest.raises(Unprocessable):
        idcard.read_id_card_front(cards.render_id_card_back(), engine=ocr_engine)


def test_a_photo_without_a_licence_is_unprocessable(ocr_engine: OcrEngine) -> None:
    with pytest.raises(Unprocessable) as caught:
        idcard.read_business_licence(cards.render_gradient_photo(), engine=ocr_engine)

    assert "image" in caught.value.fields


# --- the front parser on OCR lines --------------------------------------------------------


def lines(*texts: str, score: float = 0.99) -> list[OcrLine]:
    return [OcrLine(text, score) for text in texts]


FRONT = (
    "姓名 张三",
    "性别 男 民族 汉",
    "出生 1990年1月1日",
    "住址 浙江省宁波市海曙区某某",
    "路1号",
    f"公民身份号码 {cards.ZHANG_SAN_ID}",
)


def test_lines_of_a_good_front_give_every_field_and_high_confidence() -> None:
    card = parse_id_card_front(lines(*FRONT))

    assert fields_of(card) == ZHANG_SAN
    assert card.id_number_valid
    assert card.confidence == 0.99


def test_a_bad_checksum_is_read_but_marked_invalid() -> None:
    good = parse_id_card_front(lines(*FRONT))
    bad = parse_id_card_front(lines(*FRONT[:-1], "公民身份号码 330203199001011235"))

    assert bad.id_number == "330203199001011235"
    assert bad.id_number_valid is False
    assert "id_number_invalid" in bad.issues
    assert bad.confidence < good.confidence


def test_an_impossible_birth_date_is_not_turned_into_a_date() -> None:
    card = parse_id_card_front(
        lines(*FRONT[:2], "出生 1990年2月30日", *FRONT[3:5], "公民身份号码 330203199002301230")
    )

    assert card.birth_date is None
    assert "birth_date_impossible" in card.issues
    assert card.id_number == "330203199002301230"
    assert card.id_number_valid is False  # 30 February is no birth date either


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("33O2O3 l99O O1O1 1236", cards.ZHANG_SAN_ID),  # O for 0, l for 1, spaces
        (cards.ZHANG_SAN_ID.translate(FULL_WIDTH), cards.ZHANG_SAN_ID),  # full-width digits
        ("33010619900101123x", "33010619900101123X"),  # lower-case check character
        ("3302031990O1O1I236", cards.ZHANG_SAN_ID),  # O and I
    ],
)
def test_ocr_confusions_in_the_number_are_undone(printed: str, expected: str) -> None:
    card = parse_id_card_front(lines(*FRONT[:-1], f"公民身份号码 {printed}"))

    assert card.id_number == expected
    assert card.id_number_valid


def test_digit_confusions_are_not_applied_to_words() -> None:
    assert normalize_id_number("浙江省宁波市海曙区某某路1号") == ""
    assert normalize_id_number("ISOBEL lives in ZOO SOLOS BIOS") == ""
    assert normalize_id_number("3302031990010112") == ""  # too short: not a guess


def test_an_id_number_with_something_glued_on_is_kept_only_when_the_checksum_proves_it() -> None:
    assert normalize_id_number(f"号码{cards.ZHANG_SAN_ID}1") == cards.ZHANG_SAN_ID
    assert normalize_id_number("3302031990010112351") == ""


def test_missing_fields_are_empty_and_lower_the_confidence() -> None:
    full = parse_id_card_front(lines(*FRONT))
    partial = parse_id_card_front(lines(FRONT[0], FRONT[2], FRONT[5]))

    assert (partial.gender, partial.ethnicity, partial.address) == ("", "", "")
    assert {"gender_missing", "ethnicity_missing", "address_missing"} <= set(partial.issues)
    assert partial.confidence == pytest.approx(full.confidence * 3 / 6, abs=0.01)


def test_a_gender_that_contradicts_the_number_lowers_the_confidence() -> None:
    good = parse_id_card_front(lines(*FRONT))
    card = parse_id_card_front(lines(FRONT[0], "性别 女 民族 汉", *FRONT[2:]))

    assert card.gender == "女"  # what the card says, not what the number implies
    assert "gender_mismatch" in card.issues
    assert card.confidence < good.confidence


def test_a_birth_date_that_contradicts_the_number_lowers_the_confidence() -> None:
    good = parse_id_card_front(lines(*FRONT))
    card = parse_id_card_front(lines(*FRONT[:2], "出生 1990年1月2日", *FRONT[3:]))

    assert card.birth_date == dt.date(1990, 1, 2)
    assert "birth_date_mismatch" in card.issues
    assert card.confidence < good.confidence


def test_low_scores_lower_the_confidence() -> None:
    assert parse_id_card_front(lines(*FRONT, score=0.7)).confidence == 0.7


def test_a_misread_label_is_still_recognised_where_the_card_prints_it() -> None:
    card = parse_id_card_front(
        lines(
            "姓名张三",
            "性制男民族汉",
            "1990年1月1日",
            "住址浙江省宁波市海曙区某某路1号",
            "33020319900101l236",
        )
    )

    assert fields_of(card) == ZHANG_SAN


def test_a_name_containing_a_label_character_is_not_cut() -> None:
    card = parse_id_card_front(lines("姓名 李名扬", *FRONT[1:]))

    assert card.name == "李名扬"


def test_an_ethnicity_not_on_the_list_is_left_empty_and_one_typo_is_corrected() -> None:
    unknown = parse_id_card_front(lines(FRONT[0], "性别 男 民族 火星", *FRONT[2:]))
    typo = parse_id_card_front(lines(FRONT[0], "性别 男 民族 维画尔", *FRONT[2:]))

    assert unknown.ethnicity == ""
    assert typo.ethnicity == "维吾尔"
    assert "ethnicity_corrected" in typo.issues


def test_lines_below_the_score_floor_and_lone_letters_are_ignored() -> None:
    noisy = [*lines(*FRONT[:4]), OcrLine("O", 0.99), OcrLine("路1号", 0.99)]
    noisy += [OcrLine("一二三", 0.2), *lines(FRONT[5])]

    assert parse_id_card_front(noisy).address == "浙江省宁波市海曙区某某路1号"


def test_rows_are_grouped_across_a_tilt() -> None:
    def box(x0: float, y0: float, width: float, slope: float) -> OcrLine:
        # A 30 px high box whose baseline rises ``slope`` px per px.
        text = f"{x0:.0f}"
        dy = width * slope
        return OcrLine(
            text, 1.0, ((x0, y0), (x0 + width, y0 - dy), (x0 + width, y0 - dy + 30), (x0, y0 + 30))
        )

    # Tilted 6°: the value starts 15 px higher than its label, the next line is 45 px lower.
    slope = 0.105
    label, value, below = box(50, 100, 90, slope), box(200, 85, 300, slope), box(50, 145, 90, slope)

    assert reading_order([below, value, label]) == [label, value, below]


# --- the back and the licence on OCR lines ------------------------------------------------


def test_an_expired_back_side_says_so() -> None:
    back = parse_id_card_back(
        lines("签发机关 宁波市公安局海曙分局", "有效期限 2010.05.01-2020.05.01")
    )

    assert back.valid_until == dt.date(2020, 5, 1)
    assert back.expired(on=dt.date(2020, 5, 2))
    assert not back.expired(on=dt.date(2020, 5, 1))  # the printed day is the last valid day
    assert back.expired()  # today


def test_a_long_term_card_never_expires_and_an_unread_one_is_not_called_expired() -> None:
    long_term = parse_id_card_back(lines("签发机关 宁波市公安局", "有效期限 2016.01.20-长期"))
    unread = parse_id_card_back(lines("签发机关 宁波市公安局"))

    assert long_term.long_term and not long_term.expired(on=dt.date(2099, 1, 1))
    assert not unread.validity_read and not unread.expired()
    assert "valid_until_missing" in unread.issues
    assert unread.confidence < long_term.confidence


def test_a_validity_period_no_card_is_issued_for_lowers_the_confidence() -> None:
    usual = parse_id_card_back(lines("签发机关 宁波市公安局", "有效期限 2015.03.01-2025.03.01"))
    odd = parse_id_card_back(lines("签发机关 宁波市公安局", "有效期限 2015.03.01-2027.03.01"))

    assert "validity_period_unusual" in odd.issues
    assert odd.confidence < usual.confidence
    assert odd.valid_until == dt.date(2027, 3, 1)  # still reported as printed


def test_the_back_parser_tolerates_squeezed_and_misread_dates() -> None:
    back = parse_id_card_back(lines("签发机关宁波市公安局", "有效期限 2O15O301-2O350301"))

    assert (back.valid_from, back.valid_until) == (dt.date(2015, 3, 1), dt.date(2035, 3, 1))
    assert back.issuing_authority == "宁波市公安局"


LICENCE = (
    f"统一社会信用代码 {cards.SAMPLE_USCC}",
    "名称 宁波某某贸易有限公司",
    "类型 有限责任公司(自然人投资或控股)",
    "法定代表人 李四",
    "成立日期 2018年06月15日",
    "住所 浙江省宁波市海曙区某某路88号1201室",
)


def test_licence_lines_give_every_field() -> None:
    licence = parse_business_licence(lines(*LICENCE))

    assert licence.uscc_valid and licence.confidence == 0.99
    assert licence.founded == dt.date(2018, 6, 15)
    assert licence.legal_representative == "李四"


def test_a_credit_code_with_a_bad_check_character_is_marked_invalid() -> None:
    good = parse_business_licence(lines(*LICENCE))
    bad = parse_business_licence(lines("统一社会信用代码 91330203MA2AB1234B", *LICENCE[1:]))

    assert bad.uscc == "91330203MA2AB1234B"
    assert bad.uscc_valid is False
    assert "uscc_invalid" in bad.issues
    assert bad.confidence < good.confidence


def test_credit_code_confusions_are_undone_only_where_the_alphabet_allows() -> None:
    assert normalize_credit_code("9l33O2O3MA2AB1234A") == cards.SAMPLE_USCC
    assert normalize_credit_code("91330203 MA2A B123 4A") == cards.SAMPLE_USCC
    assert normalize_credit_code("MA2AB1234A") == ""


def test_a_licence_without_labels_still_yields_a_provably_valid_code() -> None:
    licence = parse_business_licence(lines("营业执照", cards.SAMPLE_USCC))

    assert licence.uscc == cards.SAMPLE_USCC
    assert licence.name == ""
    assert "name_missing" in licence.issues


# --- image decoding and engine choice ----------------------------------------------------


def test_non_images_and_unsupported_formats_are_refused_naming_the_field() -> None:
    gif = io.BytesIO()
    Image.new("RGB", (40, 40)).save(gif, format="GIF")
    for data in (b"not an image at all", gif.getvalue(), cards.render_id_card_front()[:200]):
        with pytest.raises(Unprocessable) as caught:
            decode_image(data)
        assert "image" in caught.value.fields


def test_too_many_pixels_are_refused_before_decoding() -> None:
    with pytest.raises(Unprocessable) as caught:
        decode_image(cards.render_id_card_front(), max_pixels=100_000)

    assert caught.value.code == "image_too_large"


def test_transparent_images_are_flattened_on_white_and_large_ones_shrunk() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (3000, 1000), (0, 0, 0, 0)).save(buffer, format="PNG")

    image = decode_image(buffer.getvalue())

    assert image.mode == "RGB" and image.size == (2000, 667)
    assert image.getpixel((10, 10)) == (255, 255, 255)


class FakeEngine:
    """Returns the lines of a good front whatever the image: proves the setting is used."""

    def read(self, image: bytes) -> list[OcrLine]:
        return lines(*FRONT)


def test_the_engine_comes_from_the_setting(settings) -> None:
    settings.OCR_ENGINE = f"{__name__}.FakeEngine"

    assert isinstance(get_engine(), FakeEngine)
    assert get_engine() is get_engine()
    assert fields_of(idcard.read_id_card_front(b"ignored")) == ZHANG_SAN
