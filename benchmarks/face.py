"""Face verification latency: budget < 1 s per check (issue 4, Benchmarks).

Runs the local dlib engine on the ID-card + selfie pair the tests use, then on the same pair
at phone-camera size (a 12 MP card photo, a 1080x1440 selfie) because that is what real
uploads look like. Prints the cold start (imports + model load + first check, in this fresh
process), then the median and p95 of warm checks. Exits 1 when a p95 is over budget.

    python -m benchmarks.face [--runs 20]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time

from PIL import Image

BUDGET_SECONDS = 1.0


def _pairs() -> dict[str, tuple[bytes, bytes]]:
    # The test images; importing them loads neither dlib nor the face engine, so the cold
    # start measured below is the engine's own.
    from microcourt.assist.tests import faces

    card = Image.open(io.BytesIO(faces.id_card())).convert("RGB")
    selfie = faces.astronaut().crop((100, 0, 340, 320))  # 3:4, like a phone
    return {
        "card + selfie (test pair)": (faces.id_card(), faces.selfie()),
        "12 MP card + 1080x1440 selfie": (
            faces.encode(card.resize((4000, 2523)), quality=92),
            faces.encode(selfie.resize((1080, 1440)), quality=85),
        ),
    }


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    # Nearest-rank: with 20 runs the p95 is the 19th fastest, an observed value.
    rank = max(1, round(fraction * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="warm checks per pair")
    options = parser.parse_args(argv)

    pairs = _pairs()
    first_reference, first_probe = next(iter(pairs.values()))

    started = time.perf_counter()
    from microcourt.assist.face import DlibFaceEngine

    engine = DlibFaceEngine(threshold=0.6)
    first = engine.compare(first_reference, first_probe)
    cold = time.perf_counter() - started
    print(f"cold start (import + model load + first check): {cold:.3f} s")
    print(f"first result: distance {first.distance:.3f}, match {first.match}")

    over_budget = False
    for label, (reference, probe) in pairs.items():
        timings = []
        for _ in range(options.runs):
            began = time.perf_counter()
            result = engine.compare(reference, probe)
            timings.append(time.perf_counter() - began)
        if not result.match:
            print(f"{label}: the pair did not match (distance {result.distance:.3f})")
            return 1
        median, p95 = statistics.median(timings), _percentile(timings, 0.95)
        verdict = "ok" if p95 < BUDGET_SECONDS else "OVER BUDGET"
        over_budget |= p95 >= BUDGET_SECONDS
        print(
            f"{label}: {options.runs} warm checks, median {median * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, budget {BUDGET_SECONDS * 1000:.0f} ms -> {verdict}"
        )
    return 1 if over_budget else 0


if __name__ == "__main__":
    sys.exit(main())
