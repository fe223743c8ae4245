"""Fixtures shared by the assist tests."""

from __future__ import annotations

import numpy as np
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


@pytest.fixture(scope="session")
def speech_clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """The scripts of microcourt.assist.speech.testing as audio (16 kHz float32), by name:
    real speech synthesised here by espeak-ng and sox."""
    from microcourt.assist.speech import testing

    missing = testing.missing_tools()
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run `scripts/system-deps.sh test`")
    return testing.clips(tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="module")
def whisper_engine():
    """The local engine with the bundled Whisper base model, loaded once per module."""
    from microcourt.assist.speech.local import LocalWhisperEngine

    engine = LocalWhisperEngine()
    engine.load()
    return engine
