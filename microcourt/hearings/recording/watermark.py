"""A viewer's copy of the recording (流程公开规定第十一条: parties view recordings online;
录音录像规定第十五条: no copying without permission): the viewer's name and the time the copy
was made are drawn into the picture itself — once large and drifting slowly across it, so
no crop removes it, and once small in a corner — then encoded again. A CSS overlay would
vanish with a screen recorder or a saved file; this does not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .compose import VIDEO_ARGS
from .media import Budget, font_path, program, run


def render(
    source: Path,
    out: Path,
    *,
    text: str,
    duration: float,
    budget: Budget,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """``source`` with ``text`` burned in, to ``out`` (MP4, faststart; audio copied).
    ``progress`` gets whole percents as ffmpeg goes."""
    work = out.parent
    font = font_path()
    (work / f"{out.stem}.txt").write_text(text, encoding="utf-8")
    name = f"{out.stem}.txt"
    graph = (
        f"drawtext=fontfile='{font}':textfile={name}:expansion=none:fontsize=34:"
        "fontcolor=white@0.30:shadowcolor=black@0.30:shadowx=2:shadowy=2:"
        "x='(w-tw)*(0.5+0.42*sin(t/9))':y='(h-th)*(0.5+0.38*cos(t/13))',"
        f"drawtext=fontfile='{font}':textfile={name}:expansion=none:fontsize=18:"
        "fontcolor=white@0.75:box=1:boxcolor=black@0.45:boxborderw=4:x=w-tw-12:y=h-th-12"
    )
    script = work / f"{out.stem}.graph"
    script.write_text(graph, encoding="utf-8")
    last = [-1]

    def on_line(line: str) -> None:
        if progress is None or not line.startswith("out_time_us=") or duration <= 0:
            return
        try:
            done = int(line.split("=", 1)[1]) / 1e6
        except ValueError:
            return
        percent = max(0, min(99, int(done * 100 / duration)))
        if percent >= last[0] + 5:
            last[0] = percent
            progress(percent)

    run(
        [
            program("ffmpeg"),
            "-nostdin",
            "-y",
            "-v",
            "error",
            "-progress",
            "pipe:1",
            "-nostats",
            "-i",
            str(source),
            "-filter_script:v",
            script.name,
            *VIDEO_ARGS,
            "-c:a",
            "copy",
            "-movflags",
            "+faststart",
            out.name,
        ],
        budget=budget,
        cwd=work,
        on_line=on_line,
    )
    return out
