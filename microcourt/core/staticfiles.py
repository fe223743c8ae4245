"""Static files as every mode serves them (`make run`, the demo, production): collected into
STATIC_ROOT by `collectstatic`, named by a hash of their content, compressed ahead of time
(brotli and gzip), and cached by browsers for a year.

A changed file gets a new name, so a page never meets a stale copy and a browser never asks
again for a file it holds: a returning visitor downloads the page alone."""

from __future__ import annotations

import hashlib
import os
import re

from whitenoise.compress import Compressor
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage

ONE_YEAR = 365 * 24 * 60 * 60  # the longest a cache lifetime should be (RFC 9111 §5.2.2.1)
# Source maps are read by developer tools only, and are the largest files collected (the API
# documentation's bundles): compressing them took most of collectstatic's time.
SKIP_COMPRESS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
BROTLI_BEST_UP_TO = 128 * 1024
HASHED = re.compile(r"\.[0-9a-f]{12}\.[^.]+$")  # name.<hash>.css: the hash names the content


def _brotli(data: bytes) -> bytes:
    """Brotli's best (quality 11) for what our pages load, all well under 128 KB; quality 9
    for larger files (the admin's and API documentation's bundles): 20 times faster on them,
    10 % larger."""
    import brotli  # type: ignore[import-untyped]  # no type information shipped

    return brotli.compress(data, quality=11 if len(data) <= BROTLI_BEST_UP_TO else 9)


class _OnceCompressor(Compressor):
    """Compresses a file once, so `make run` and `serve` collect again in seconds: a hashed
    name's compressed versions are of the same content; a plain name's are if they carry its
    modification time (WhiteNoise gives them the original's)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._made: dict[tuple[str, bytes], bytes] = {}  # a plain file and its hashed copy

    def _once(self, kind: str, data: bytes, make) -> bytes:
        key = (kind, hashlib.sha256(data).digest())
        if key not in self._made:
            self._made[key] = make(data)
        return self._made[key]

    def compress_brotli(self, data: bytes) -> bytes:
        return self._once("br", data, _brotli)

    def compress_gzip(self, data: bytes) -> bytes:
        return self._once("gz", data, Compressor.compress_gzip)

    def compress(self, path: str) -> list[str]:
        done = [path + suffix for suffix in (".br", ".gz") if os.path.exists(path + suffix)]
        if done and HASHED.search(path):
            return done
        if done and _same_mtime(path, done):
            return done
        return super().compress(path)


def _same_mtime(path: str, compressed: list[str]) -> bool:
    """Whether the compressed copies were made from this very file (a file removed while
    we look counts as not: it is compressed afresh)."""
    try:
        mtime = os.stat(path).st_mtime
        return all(os.stat(p).st_mtime == mtime for p in compressed)
    except OSError:
        return False


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, precompressed storage, with hashed names under DEBUG too.

    Django hands out the plain names while DEBUG is on, and WhiteNoise caches those for no
    time at all: every page view fetched every file again.
    """

    def url(self, name: str | None, force: bool = False) -> str:
        return super().url(name, force=True)

    def create_compressor(self, **kwargs) -> Compressor:
        if kwargs.get("extensions") is None:
            kwargs["extensions"] = SKIP_COMPRESS
        return _OnceCompressor(**kwargs)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, caching hashed files for a year (its own default is ten)."""

    FOREVER = ONE_YEAR
