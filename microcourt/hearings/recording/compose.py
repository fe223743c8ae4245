"""One video of the whole hearing (录音录像规定第一条、第四条): for each stretch recorded between
recesses, every publisher's video in a grid with its seat label, their audio mixed, the
wall-clock time of the hearing (Asia/Shanghai) burned in; the stretches then joined in order.

MP4 (H.264 + AAC, ``faststart``) because every phone browser plays it and seeks in it with
HTTP Range requests."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from .convert import Track
from .media import Budget, MediaFailed, font_path, program, run

WIDTH, HEIGHT, FPS = 1280, 720, 15
# A file that starts this long before a stretch's start (or after its end) still belongs to it.
SLACK = 10.0
VIDEO_ARGS = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p"]
AUDIO_ARGS = ["-c:a", "aac", "-b:a", "64k", "-ar", "48000", "-ac", "2"]


@dataclass
class Stretch:
    start: float  # epoch seconds of the first media
    end: float
    tracks: list[Track] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


def stretches(tracks: list[Track], segments: list[tuple[float, float | None]]) -> list[Stretch]:
    """The tracks grouped by the stretch (between recesses) they were recorded in, in order.
    A track no recorded stretch explains (a clock off, a segment lost) makes its own."""
    groups: dict[int, list[Track]] = {}
    strays: list[Track] = []
    for track in sorted(tracks, key=lambda t: t.start):
        created = track.created_us / 1e6
        best, index = SLACK, None
        for i, (start, end) in enumerate(segments):
            # How far the file's opening lies outside the stretch (0: inside it).
            gap = max(0.0, start - created, created - (end if end is not None else created))
            if gap <= best:
                best, index = gap, i
        if index is None:
            strays.append(track)
        else:
            groups.setdefault(index, []).append(track)
    found = [groups[i] for i in sorted(groups)]
    for track in strays:  # cluster what is left by overlap in time
        for group in found:
            if min(t.start for t in group) - SLACK <= track.start <= max(t.end for t in group):
                group.append(track)
                break
        else:
            found.append([track])
    out = [
        Stretch(start=min(t.start for t in g), end=max(t.end for t in g), tracks=g) for g in found
    ]
    return sorted(out, key=lambda s: s.start)


def grid(count: int) -> tuple[int, int]:
    """(columns, rows) of the tiles."""
    cols = max(1, math.ceil(math.sqrt(count)))
    return cols, max(1, math.ceil(count / cols))


def _even(value: float) -> int:
    return int(value) // 2 * 2


def _text_file(work: Path, name: str, text: str) -> str:
    (work / name).write_text(text, encoding="utf-8")
    return name  # ffmpeg runs in ``work``: a plain name needs no escaping


def stretch_video(
    stretch: Stretch,
    *,
    labels: dict[int, str],
    order: list[str],
    title: str,
    work: Path,
    index: int,
    budget: Budget,
) -> Path:
    """Render one stretch to ``work/stretch-<index>.mp4``."""
    font = font_path()
    duration = stretch.duration
    if duration <= 0.2:
        raise MediaFailed("invalid", f"stretch {index + 1} holds no media")
    people: list[str] = []
    for track in stretch.tracks:
        label = labels.get(track.feed) or f"参与人 {track.feed % 10000:04d}"
        if label not in people:
            people.append(label)
    people.sort(key=lambda p: (order.index(p) if p in order else len(order), p))
    cols, rows = grid(len(people))
    tile_w, tile_h = _even(WIDTH / cols), _even((HEIGHT - 40) / rows)
    top = 40  # the band with the title and the time
    argv = [program("ffmpeg"), "-nostdin", "-y", "-v", "error"]
    chains: list[str] = []
    inputs = 0
    base = "base0"
    chains.append(f"color=c=0x101418:s={WIDTH}x{HEIGHT}:r={FPS}:d={duration:.3f}[{base}]")
    audio: list[str] = []
    for track in stretch.tracks:
        label = labels.get(track.feed) or f"参与人 {track.feed % 10000:04d}"
        slot = people.index(label)
        x, y = (slot % cols) * tile_w, top + (slot // cols) * tile_h
        offset = max(0.0, track.start - stretch.start)
        argv += ["-i", str(track.media)]
        n, inputs = inputs, inputs + 1
        if track.kind == "video":
            chains.append(
                f"[{n}:v]setpts=PTS-STARTPTS+{offset:.3f}/TB,"
                f"scale={tile_w}:{tile_h}:force_original_aspect_ratio=decrease,"
                f"pad={tile_w}:{tile_h}:(ow-iw)/2:(oh-ih)/2:color=0x000000,setsar=1[v{n}]"
            )
            nxt = f"base{n + 1}"
            chains.append(f"[{base}][v{n}]overlay=x={x}:y={y}:eof_action=pass[{nxt}]")
            base = nxt
        else:
            ms = int(offset * 1000)
            chains.append(
                f"[{n}:a]aresample=48000,asetpts=PTS-STARTPTS,"
                f"aformat=sample_fmts=fltp:channel_layouts=stereo,adelay=delays={ms}:all=1[a{n}]"
            )
            audio.append(f"[a{n}]")
    # Labels under each tile, the title, and the wall-clock time (录音录像规定第四条).
    draws = []
    for slot, person in enumerate(people):
        x, y = (slot % cols) * tile_w, top + (slot // cols) * tile_h
        name = _text_file(work, f"label-{index}-{slot}.txt", person)
        draws.append(
            f"drawtext=fontfile='{font}':textfile={name}:expansion=none:fontsize=22:"
            f"fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6:x={x + 10}:y={y + tile_h - 38}"
        )
    heading = _text_file(work, f"title-{index}.txt", title)
    draws.append(
        f"drawtext=fontfile='{font}':textfile={heading}:expansion=none:fontsize=22:"
        "fontcolor=white:x=14:y=9"
    )
    # %{pts:localtime:<epoch>:<format>}: the stretch's real start plus the frame's time, in
    # the child's TZ (Asia/Shanghai, media.run).
    clock = _text_file(
        work,
        f"clock-{index}.txt",
        "%{pts:localtime:" + f"{stretch.start:.6f}" + ":%Y-%m-%d %H\\:%M\\:%S}",
    )
    draws.append(
        f"drawtext=fontfile='{font}':textfile={clock}:fontsize=24:fontcolor=white:"
        "box=1:boxcolor=black@0.6:boxborderw=6:x=w-tw-14:y=8"
    )
    chains.append(f"[{base}]{','.join(draws)},format=yuv420p[vout]")
    if audio:
        chains.append(
            f"{''.join(audio)}amix=inputs={len(audio)}:duration=longest:normalize=0,"
            f"apad,atrim=0:{duration:.3f}[aout]"
        )
    else:
        chains.append(f"anullsrc=r=48000:cl=stereo,atrim=0:{duration:.3f}[aout]")
    out = work / f"stretch-{index}.mp4"
    script = _text_file(work, f"graph-{index}.txt", ";\n".join(chains))
    argv += [
        "-filter_complex_script",
        script,
        "-map",
        "[vout]",
        "-map",
        "[aout]",
        "-r",
        str(FPS),
        *VIDEO_ARGS,
        *AUDIO_ARGS,
        "-t",
        f"{duration:.3f}",
        out.name,
    ]
    run(argv, budget=budget, cwd=work)
    return out


def join(parts: list[Path], out: Path, *, budget: Budget) -> Path:
    """The stretches one after another, without re-encoding, index at the front."""
    listing = out.parent / f"{out.stem}-parts.txt"
    listing.write_text("".join(f"file '{p.name}'\n" for p in parts), encoding="utf-8")
    run(
        [
            program("ffmpeg"),
            "-nostdin",
            "-y",
            "-v",
            "error",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            listing.name,
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            out.name,
        ],
        budget=budget,
        cwd=out.parent,
    )
    return out


def compose(
    tracks: list[Track],
    *,
    segments: list[tuple[float, float | None]],
    labels: dict[int, str],
    order: list[str],
    title: str,
    work: Path,
    budget: Budget,
) -> tuple[Path, list[Stretch]]:
    """The whole hearing as ``work/hearing.mp4``; with the stretches it was made of."""
    parts = stretches(tracks, segments)
    if not parts:
        raise MediaFailed("invalid", "no media to compose")
    rendered = [
        stretch_video(s, labels=labels, order=order, title=title, work=work, index=i, budget=budget)
        for i, s in enumerate(parts)
    ]
    return join(rendered, work / "hearing.mp4", budget=budget), parts
