"""Speech made on this machine for tests and the benchmark: espeak-ng speaks a script,
sox resamples it to 16 kHz mono. Real (if robotic) speech, no recordings shipped.

espeak-ng's ``cmn`` voice reads pinyin tone digits with English rules; ``cmn-latn-pinyin``
gives Mandarin phonemes (docs/speech.md)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import wave
from pathlib import Path
from typing import Final

import numpy as np
from numpy.typing import NDArray

# name -> (espeak-ng voice, script)
SCRIPTS: Final = {
    "english": (
        "en",
        "The court is now in session. "
        "The plaintiff asks the defendant to pay one hundred thousand dollars.",
    ),
    "names": (
        "en",
        "The plaintiff Zhang Sanfeng sues the defendant Ningbo Haishu Trading Company.",
    ),
    "order": ("en", "Order in court."),
    "mandarin": (
        "cmn-latn-pinyin",
        "现在开庭。原告张三诉被告宁波某某贸易有限公司买卖合同纠纷一案，"
        "依法适用简易程序，公开开庭审理。",
    ),
}
TOOLS: Final = ("espeak-ng", "sox")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def synthesise(text: str, voice: str, directory: Path) -> NDArray[np.float32]:
    """``text`` spoken by espeak-ng ``voice``, as float32 mono samples at 16 kHz."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = hashlib.sha256(f"{voice}\n{text}".encode()).hexdigest()[:16]
    raw, resampled = directory / f"{stem}.wav", directory / f"{stem}.16k.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)  # noqa: S603,S607
    subprocess.run(  # noqa: S603
        ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(resampled)],  # noqa: S607
        check=True,
    )
    with wave.open(str(resampled)) as clip:
        if clip.getframerate() != 16000 or clip.getnchannels() != 1 or clip.getsampwidth() != 2:
            raise RuntimeError(f"sox did not make 16 kHz mono 16-bit audio of {raw}")
        pcm = np.frombuffer(clip.readframes(clip.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


def clips(directory: Path) -> dict[str, NDArray[np.float32]]:
    """Every script in :data:`SCRIPTS` as audio, by name."""
    return {name: synthesise(text, voice, directory) for name, (voice, text) in SCRIPTS.items()}
