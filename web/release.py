"""One release id for every cache: the page cache, ETags and the compiled diagnosis content.

A release is the code that produces responses. The image sets ``RELEASE`` at build time from
the commit (Dockerfile ``ARG RELEASE``); without it the id is a hash of all the project's
source, so a changed file anywhere (every app of the project, templates/, static/, and the
translations in locale/) is a new release. Every cache key carries it: replicas of two
releases side by side during a rolling deploy never serve each other's pages or unpickle each
other's compiled content, and a deploy retires every stored response at once without purging
the shared cache.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache as memoize
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Every app of the project (a test checks INSTALLED_APPS against this), the templates, static
# files and the translations: what produces a response.
SOURCE_DIRS = (
    "config",
    "web",
    "kb",
    "diagnosis",
    "reports",
    "usage",
    "staff",
    "templates",
    "static",
    "locale",
)
# Build products and editor leftovers are not source: they must not change the id (a .mo is
# compiled from its .po, which is hashed).
_SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo", ".swp", ".mo"}


def source_hash(base_dir: Path = BASE_DIR) -> str:
    """A hash of every source file's path and bytes under SOURCE_DIRS."""
    digest = hashlib.sha256()
    for name in SOURCE_DIRS:
        root = base_dir / name
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.suffix in _SKIPPED_SUFFIXES:
                continue
            relative = path.relative_to(base_dir)
            if _SKIPPED_PARTS.intersection(relative.parts):
                continue
            digest.update(str(relative).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@memoize
def _release_once() -> str:
    return os.environ.get("RELEASE", "").strip() or source_hash(BASE_DIR)


def release_id() -> str:
    """The release id; under DEBUG (runserver reloads edited files) hashed on every call."""
    from django.conf import settings

    if settings.DEBUG and not os.environ.get("RELEASE", "").strip():
        return source_hash(BASE_DIR)
    return _release_once()


def forget_release_id() -> None:
    """For tests that change the environment or the source: compute the id again."""
    _release_once.cache_clear()
