"""ID-card OCR benchmark (issue 4): OCR + parse must stay within 1.2× of raw rapidocr on the
same image, on 2 cores.

    python -m benchmarks.ocr            # or: python benchmarks/ocr.py

Prints medians of 20 warm runs each; asserts nothing (the budget is judged in
docs/benchmarks.md)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

RUNS = 20
WARM_UP = 3
CORES = 2


def _pin_to_cores(count: int) -> list[int]:
    """Run on ``count`` cores so results compare across machines of different sizes."""
    available = sorted(os.sched_getaffinity(0))
    chosen = available[:count]
    os.sched_setaffinity(0, chosen)
    return chosen


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcourt.settings.dev")
    import django

    django.setup()

    from rapidocr import RapidOCR

    from microcourt.assist import idcard
    from microcourt.assist.ocr import RapidOcrEngine, decode_image
    from microcourt.assist.tests import cards

    cores = _pin_to_cores(CORES)
    images = {
        "clean card (856×540 PNG)": cards.render_id_card_front(),
        "degraded photo (JPEG q40)": cards.degrade(cards.render_id_card_front()),
    }

    first = images["clean card (856×540 PNG)"]
    started = time.perf_counter()
    raw = RapidOCR(
        params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": CORES,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
    )
    raw(first)
    raw_cold = time.perf_counter() - started
    started = time.perf_counter()
    engine = RapidOcrEngine(threads=CORES)
    idcard.read_id_card_front(first, engine=engine)
    engine_cold = time.perf_counter() - started

    print(f"ID-card OCR benchmark on cores {cores}, median of {RUNS} warm runs each")
    print(
        f"cold start (model load + first card): raw rapidocr {raw_cold * 1000:.0f} ms, "
        f"OCR + parse {engine_cold * 1000:.0f} ms"
    )
    for label, image in images.items():
        runs: dict[str, Callable[[], object]] = {
            "raw rapidocr": lambda image=image: raw(image),
            "OCR + parse": lambda image=image: idcard.read_id_card_front(image, engine=engine),
        }
        for run in runs.values():
            for _ in range(WARM_UP):
                run()
        samples: dict[str, list[float]] = {name: [] for name in runs}
        # Interleaved, so a noisy neighbour slows both sides alike.
        for _ in range(RUNS):
            for name, run in runs.items():
                started = time.perf_counter()
                run()
                samples[name].append(time.perf_counter() - started)
        raw_ms, full_ms = (_median_ms(samples[name]) for name in runs)
        # The part this project adds, timed alone: it is what the ratio should reflect when
        # the machine is busy and the two medians above are noisy.
        lines = engine.read(image)
        own: dict[str, list[float]] = {"decode": [], "parse": []}
        for _ in range(RUNS):
            started = time.perf_counter()
            decode_image(image)
            own["decode"].append(time.perf_counter() - started)
            started = time.perf_counter()
            idcard.parse_id_card_front(lines)
            own["parse"].append(time.perf_counter() - started)
        card = idcard.read_id_card_front(image, engine=engine)
        read = sum(
            bool(value)
            for value in (card.name, card.gender, card.ethnicity, card.birth_date, card.address)
        ) + bool(card.id_number_valid)
        print(f"\n{label}")
        print(f"  raw rapidocr   {raw_ms:7.1f} ms")
        print(f"  OCR + parse    {full_ms:7.1f} ms")
        print(f"  ratio          {full_ms / raw_ms:7.2f}×   (target ≤ 1.20×)")
        print(
            f"  own work       {_median_ms(own['decode']):7.1f} ms decode (Pillow, EXIF, RGB), "
            f"{_median_ms(own['parse']):.2f} ms parse"
        )
        print(f"  fields read    {read}/6, confidence {card.confidence}")


if __name__ == "__main__":
    main()
