"""Sample complaints for the auto-fill tests: the text, and that text as a text PDF
(WeasyPrint), a photo-like image (Pillow) and a scanned PDF (the image inside a PDF).

Personas: 原告 张三 lends money to 被告 王五 and sells goods to 被告 宁波某某贸易有限公司."""

from __future__ import annotations

import io
import textwrap
from functools import cache

from PIL import Image, ImageDraw, ImageFont
from stdnum.cn import ric

from microcourt.assist.tests.cards import SAMPLE_USCC

FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def id_number(first17: str) -> str:
    # stdnum computes the check digit from a full-length number, ignoring its last character.
    return first17 + ric.calc_check_digit(first17 + "0")


# Both male (odd 17th digit). 张三 is born 1988-01-02: stdnum knows 海曙区 only from 1983.
# 王五 is born 1985-03-15.
ZHANG_SAN_ID = id_number("33020319880102121")
WANG_WU_ID = id_number("33020319850315203")
# The same number with its last digit changed: a typing slip the checksum must catch.
BAD_ID = ZHANG_SAN_ID[:17] + ("0" if ZHANG_SAN_ID[17] != "0" else "1")
COMPANY_USCC = SAMPLE_USCC

# A standard 民事起诉状 for a loan: one plaintiff, one defendant, three claims.
LOAN_COMPLAINT = f"""民事起诉状
原告：张三，男，1988年1月2日出生，汉族，住浙江省宁波市海曙区某某路1号，公民身份号码：{ZHANG_SAN_ID}，联系电话：13811112222。
被告：王五，男，1985年3月15日出生，汉族，住浙江省宁波市江北区某某街8号，公民身份号码：{WANG_WU_ID}，联系电话：13933334444。
诉讼请求：
1. 判令被告偿还借款本金50,000元（大写：伍万元整）；
2. 判令被告支付利息（以50000元为基数，按年利率3.85%计算，自2023年7月1日起至实际清偿之日止）；
3. 本案诉讼费用由被告承担。
事实与理由：
2023年1月1日，被告因经营需要向原告借款50000元，并出具借条一份，约定于2023年6月30日前归还。
借款到期后，经原告多次催讨，被告至今未还。为维护原告合法权益，特诉至贵院。
此致
宁波市海曙区人民法院
具状人：张三
2024年3月1日
"""

# Two defendants (a company with its legal representative, and 王五 as guarantor), an agent
# for the plaintiff, amounts in 万元 and in 大写 only, and 一、 numbering.
SALE_COMPLAINT = f"""民事起诉状
原告：张三，男，1988年1月2日出生，汉族，住浙江省宁波市海曙区某某路1号，公民身份号码：{ZHANG_SAN_ID}。
委托诉讼代理人：刘律师，浙江某某律师事务所律师，联系电话：13700001111。
被告一：宁波某某贸易有限公司，住所地：浙江省宁波市海曙区某某路88号1201室，统一社会信用代码：{COMPANY_USCC}；法定代表人：李四，总经理。
被告二：王五，男，1985年3月15日出生，汉族，住浙江省宁波市江北区某某街8号，公民身份号码：{WANG_WU_ID}。
诉讼请求：
一、判令被告一支付货款5万元；
二、判令被告一支付违约金人民币叁拾万元整；
三、判令被告二对上述债务承担连带保证责任；
四、本案诉讼费用由两被告承担。
事实与理由：
原告与被告一于2023年签订买卖合同，约定原告供应货物，货款共计5万元。原告已按约交货，被告一至今未付货款。被告二为被告一的付款义务提供连带责任保证。
此致
宁波市海曙区人民法院
"""


def complaint_pdf(text: str = LOAN_COMPLAINT) -> bytes:
    """The complaint as a text PDF, as a word processor would export it."""
    from weasyprint import HTML

    paragraphs = "".join(f"<p>{line}</p>" for line in text.strip().splitlines())
    html = (
        "<html><head><style>@page { size: A4; margin: 2cm }"
        " body { font-family: 'WenQuanYi Micro Hei'; font-size: 12pt; line-height: 1.6 }"
        "</style></head><body>" + paragraphs + "</body></html>"
    )
    return HTML(string=html).write_pdf()


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_FILE, size)


def complaint_image(text: str = LOAN_COMPLAINT, *, size: int = 32, per_line: int = 34) -> bytes:
    """The complaint printed on a white page: black text, lines wrapped at ``per_line``
    characters wherever that falls, as in a scan of a typed page."""
    lines = [part for line in text.strip().splitlines() for part in textwrap.wrap(line, per_line)]
    height = 80 + len(lines) * int(size * 1.6)
    image = Image.new("RGB", (per_line * size + 120, height), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((60, 40 + row * int(size * 1.6)), line, font=_font(size), fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def scanned_pdf(image: bytes) -> bytes:
    """A PDF holding only a picture of the page: what a scanner app produces."""
    picture = Image.open(io.BytesIO(image)).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, format="PDF", resolution=150)
    return buffer.getvalue()


def encrypted_pdf(password: str = "secret") -> bytes:  # noqa: S107 - a test file's password
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(complaint_pdf())))
    writer.encrypt(user_password=password, algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
