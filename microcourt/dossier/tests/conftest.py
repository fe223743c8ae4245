"""The evidence stories' personas and case (张三 v 王五 at 海曙, 陈法官 on the case)."""

from microcourt.evidence.tests.conftest import case, judge  # noqa: F401
