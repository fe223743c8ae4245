"""The complaint as PDF (WeasyPrint, for filing) and DOCX (python-docx, for editing in Word)."""

from __future__ import annotations

import io

from django.template.loader import render_to_string

from .document import ComplaintDocument

TEMPLATE = "filing/complaint.html"
# Fonts every Chinese Word/WPS installation has; Word needs the East Asian slot (w:eastAsia)
# set explicitly, or it renders CJK text in whatever fallback the system picks.
DOCX_BODY_FONT = "仿宋"
DOCX_TITLE_FONT = "宋体"
DOCX_LATIN_FONT = "Times New Roman"


def render_html(doc: ComplaintDocument) -> str:
    return render_to_string(TEMPLATE, {"doc": doc})


def render_pdf(doc: ComplaintDocument) -> bytes:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    return HTML(string=render_html(doc)).write_pdf()


def _font(run, east_asian: str, size_pt: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = DOCX_LATIN_FONT
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def render_docx(doc: ComplaintDocument) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    word = Document()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(30), Mm(28)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    def para(text: str, *, indent: bool = True, align=None, bold: bool = False, size=14):
        paragraph = word.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.line_spacing = 1.5
        fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(size * 2)  # two characters, as Chinese prose is set
        if align is not None:
            paragraph.alignment = align
        _font(paragraph.add_run(text), DOCX_BODY_FONT, size, bold=bold)
        return paragraph

    title = word.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(18)
    _font(title.add_run(doc.title), DOCX_TITLE_FONT, 22, bold=True)

    for line in doc.party_lines:
        para(line)
    para(f"案由：{doc.cause}", indent=False, bold=True)
    para("诉讼请求：", indent=False, bold=True)
    for line in doc.claim_lines:
        para(line)
    if doc.total_line:
        para(doc.total_line)
    para("事实与理由：", indent=False, bold=True)
    for fact in doc.facts:
        para(fact)
    para("此致", indent=False).paragraph_format.space_before = Pt(12)
    para(doc.court_line, indent=False)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    para(f"具状人：{doc.signer}", indent=False, align=right).paragraph_format.space_before = Pt(24)
    para(doc.date_text, indent=False, align=right)
    para("附：", indent=False, size=12).paragraph_format.space_before = Pt(18)
    para(f"1. 本起诉状副本{doc.copies}份；", size=12)
    para("2. 证据清单：", size=12)
    for number, item in enumerate(doc.evidence, 1):
        para(f"（{number}）{item}", size=12)

    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
