"""What every engine's text becomes before it reaches a court record: Chinese without the
spaces recognisers put between words, in simplified characters (规范汉字); other text as is."""

from __future__ import annotations

from microcourt.assist.speech.base import tidy_text


def test_traditional_characters_become_simplified():
    said = "現在開庭。原告張三訴被告寧波某某貿易有限公司買賣合同糾紛一案"
    assert tidy_text(said) == "现在开庭。原告张三诉被告宁波某某贸易有限公司买卖合同纠纷一案"


def test_spaces_between_chinese_words_go_and_english_is_left_alone():
    assert tidy_text(" 原告 张三 请求 支付 货款 10 万元 ") == "原告张三请求支付货款 10 万元"
    assert tidy_text("  The court is now in session. ") == "The court is now in session."
