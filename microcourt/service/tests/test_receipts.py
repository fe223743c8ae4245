"""在线诉讼规则第三十一条 as a table: which fact makes service effective, when, and which
channel counts when there are several."""

import datetime as dt

import pytest

from microcourt.service.receipts import ChannelFact, effect_of

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def t(minutes):
    return T0 + dt.timedelta(minutes=minutes)


CASES = [
    # (name, facts, acted_at, expected (minutes, basis, channel) or None)
    ("confirmed address, reached: effective on arrival (第一款)",
     [ChannelFact("sms", True, t(1))], None, (1, "reached", "sms")),
    ("confirmed address, not yet reached: not served",
     [ChannelFact("sms", True, None)], None, None),
    ("unconfirmed address, reached only: not served",
     [ChannelFact("sms", False, t(1))], None, None),
    ("unconfirmed address, read: presumed (第二款第二项)",
     [ChannelFact("platform", False, t(0), read_at=t(30))], None, (30, "read", "platform")),
    ("unconfirmed address, recipient acted: effective (第二款第一项)",
     [ChannelFact("sms", False, t(1))], t(45), (45, "acted", "platform")),
    ("read before acting: the earlier presumption counts",
     [ChannelFact("platform", False, t(0), read_at=t(10))], t(20), (10, "read", "platform")),
    ("same instant: an effective ground beats a presumption",
     [ChannelFact("platform", False, t(0), read_at=t(20))], t(20), (20, "acted", "platform")),
    ("several channels: the earliest effective one (第三款)",
     [ChannelFact("email", True, t(7)), ChannelFact("sms", True, t(3)),
      ChannelFact("platform", True, t(5))], None, (3, "reached", "sms")),
    ("a confirmed channel beats a later read on another",
     [ChannelFact("sms", False, t(1), read_at=t(9)), ChannelFact("email", True, t(4))],
     None, (4, "reached", "email")),
    ("a read on an unconfirmed channel before a confirmed one arrives",
     [ChannelFact("platform", False, t(0), read_at=t(2)), ChannelFact("sms", True, t(6))],
     None, (2, "read", "platform")),
    ("a confirmed channel's read is not a presumption: arrival already counted",
     [ChannelFact("platform", True, t(0), read_at=t(8))], None, (0, "reached", "platform")),
    ("nothing at all", [], None, None),
]  # fmt: skip


@pytest.mark.parametrize("name,facts,acted_at,expected", CASES, ids=[c[0] for c in CASES])
def test_article_31_tiers(name, facts, acted_at, expected):
    effect = effect_of(facts, acted_at=acted_at)
    if expected is None:
        assert effect is None
        return
    minutes, basis, channel = expected
    assert (effect.at, effect.basis, effect.channel) == (t(minutes), basis, channel)
    assert effect.presumed is (basis == "read")
