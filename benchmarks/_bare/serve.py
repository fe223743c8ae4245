"""Serve the baseline exactly as ``microcourt serve`` serves microcourt: uvicorn, the same
keyword arguments (``microcourt.cli.serve``), the worker count given."""

import argparse

import uvicorn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "benchmarks._bare.asgi:application",
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        lifespan="off",
        log_level="info",
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
