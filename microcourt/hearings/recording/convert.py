"""The room's ``.mjr`` files: found, read (their headers carry the wall-clock time of the
first packet) and converted with ``janus-pp-rec`` (video to WebM, audio to Opus).

Janus writes one file per publisher per track, named
``videoroom-<room>-user-<feed>-<µs>-<audio|video>-<n>.mjr``; each ``enable_recording``
(the recording resumed after a recess) starts new files, so a publisher has one pair per
stretch it was in the room."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .media import Budget, MediaFailed, duration_of, probe, program, run

NAME = re.compile(
    r"^videoroom-(?P<room>[^-]+)-user-(?P<feed>\d+)-(?P<ts>\d+)-(?P<kind>audio|video)-\d+\.mjr$"
)


@dataclass
class Track:
    path: Path
    kind: str  # "audio" | "video"
    feed: int
    created_us: int  # when Janus opened the file
    first_us: int  # wall clock of the first packet written
    media: Path | None = None  # the converted file
    duration: float = 0.0  # seconds, of the converted file

    @property
    def start(self) -> float:
        return self.first_us / 1e6

    @property
    def end(self) -> float:
        return self.start + self.duration


def scan(rec_dir: Path, room: int | None) -> list[Track]:
    """The room's tracks in ``rec_dir`` (``MediaFailed`` when the folder cannot be read)."""
    try:
        names = sorted(p.name for p in rec_dir.iterdir())
    except FileNotFoundError:
        raise MediaFailed("missing", f"recording folder {rec_dir} does not exist") from None
    except OSError as exc:
        raise MediaFailed("missing", f"recording folder {rec_dir} cannot be read: {exc}") from None
    tracks = []
    for name in names:
        match = NAME.match(name)
        if match is None or (room is not None and match["room"] != str(room)):
            continue
        path = rec_dir / name
        if path.stat().st_size == 0:
            continue
        ts = int(match["ts"])
        feed = int(match["feed"])
        tracks.append(Track(path=path, kind=match["kind"], feed=feed, created_us=ts, first_us=ts))
    return tracks


def read_header(track: Track, *, budget: Budget) -> None:
    """The header's times (``s``: opened, ``u``: first packet), in microseconds."""
    out = run([program("janus-pp-rec"), "-j", "-d", "0", str(track.path)], budget=budget)
    try:
        header = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise MediaFailed("invalid", f"{track.path.name}: unreadable header") from None
    track.created_us = int(header.get("s") or track.created_us)
    track.first_us = int(header.get("u") or track.created_us)


def convert(track: Track, out_dir: Path, *, budget: Budget) -> bool:
    """Convert one track; False when it holds no media (a publisher that sent nothing)."""
    target = out_dir / (track.path.stem + (".webm" if track.kind == "video" else ".opus"))
    if not (target.exists() and target.stat().st_size > 0):
        try:
            run([program("janus-pp-rec"), "-d", "1", str(track.path), str(target)], budget=budget)
        except MediaFailed as exc:
            if exc.reason == "timeout" or exc.reason == "missing":
                raise
            return False  # no packets, or not a codec we record: the track is left out
    if not target.exists() or target.stat().st_size == 0:
        return False
    info = probe(target, budget=budget)
    track.media, track.duration = target, duration_of(info)
    if track.duration <= 0:
        track.duration = _duration_by_packets(target, budget=budget)
    return track.duration > 0


def _duration_by_packets(path: Path, *, budget: Budget) -> float:
    """The last packet's time, for a file whose container states no duration."""
    out = run(
        [
            program("ffprobe"),
            "-v",
            "error",
            "-show_entries",
            "packet=pts_time",
            "-of",
            "csv=p=0",
            str(path),
        ],
        budget=budget,
    )
    times = [float(v) for v in out.split() if v.replace(".", "", 1).isdigit()]
    return max(times, default=0.0)


def prepare(rec_dir: Path, room: int | None, out_dir: Path, *, budget: Budget) -> list[Track]:
    """Every track with media, converted, its times read."""
    tracks = []
    for track in scan(rec_dir, room):
        read_header(track, budget=budget)
        if convert(track, out_dir, budget=budget):
            tracks.append(track)
    return tracks
