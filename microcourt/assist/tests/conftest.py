"""Fixtures shared by the assist tests."""

from __future__ import annotations

import pytest

from microcourt.assist.ocr import OcrEngine, get_engine


@pytest.fixture(scope="module")
def ocr_engine() -> OcrEngine:
    """The process's real OCR engine (rapidocr), loaded once: model start-up costs ~0.5 s."""
    engine = get_engine()
    load = getattr(engine, "load", None)
    if load is not None:
        load()
    return engine
