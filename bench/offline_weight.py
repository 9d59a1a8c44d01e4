"""Bytes a first visit costs with the service worker: the page, then the worker's background
downloads (shell, emergency procedures, steps ahead), counted by the server.

    python bench/offline_weight.py

gunicorn as bench/load.py starts it (production settings, compressed static files) with its
JSON access log on; Chromium (390×844) opens each page with `Accept-Encoding` as a browser
sends it, waits until the worker has kept the steps ahead, and the access log's byte counts
(body bytes as sent; for static files, sent with sendfile and logged as 0, the size of the
Brotli file whitenoise serves) are summed per page: before the load event and after.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import Gunicorn, prepared_site  # noqa: E402

PAGES = [
    ("home", "/"),
    ("wizard step", "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11"),
]
AHEAD_KEPT = """async () => {
  const links = [...document.querySelectorAll('#step a.button-answer')].map(a => a.href);
  for (const url of links) { if (!(await caches.match(url))) return false; }
  return !!navigator.serviceWorker.controller;
}"""


def access_lines(server: Gunicorn, static_root: Path) -> list[dict]:
    server.log.flush()
    server.log.seek(0)
    lines = []
    for line in server.log.read().splitlines():
        if '"gunicorn.access"' in line:
            with contextlib.suppress(ValueError):
                entry = json.loads(line[line.index("{") :])
                if not entry.get("bytes") and entry["path"].startswith("/static/"):
                    # whitenoise sends files with sendfile, which the log counts as 0:
                    # the Brotli file it serves to Chromium, else the file itself
                    name = static_root / entry["path"].removeprefix("/static/")
                    sent = name.with_name(name.name + ".br")
                    entry["bytes"] = (sent if sent.exists() else name).stat().st_size
                lines.append(entry)
    return lines


def main() -> int:
    from playwright.sync_api import sync_playwright

    with (
        prepared_site("sqlite", ALLOWED_HOSTS="127.0.0.1,localhost") as site,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        static_root = Path(site.env["STATIC_ROOT"])
        for label, path in PAGES:
            with Gunicorn(site.env, GUNICORN_ACCESS_LOG="json", LOG_LEVEL="WARNING") as server:
                url = server.url.replace("127.0.0.1", "localhost") + path
                context = browser.new_context(viewport={"width": 390, "height": 844})
                page = context.new_page()
                from_page = []  # what the page asked for; the rest is the worker's
                page.on("request", lambda request, seen=from_page: seen.append(request.url))
                page.goto(url, wait_until="load")
                # Polled: wait_for_function takes an async predicate's promise for true.
                deadline = time.monotonic() + 30
                while not page.evaluate(AHEAD_KEPT) and time.monotonic() < deadline:
                    time.sleep(0.1)
                time.sleep(2)
                wanted = [u.split("//", 1)[1].split("/", 1)[1] for u in from_page]
                wanted = ["/" + u for u in wanted]
                first, later = [], []
                for entry in access_lines(server, static_root):
                    if entry["path"] == "/bench/ok":  # the start-up probe
                        continue
                    full = entry["path"] + ("?" + entry["query"] if entry.get("query") else "")
                    if full in wanted:
                        wanted.remove(full)
                        first.append(entry)
                    else:
                        later.append(entry)
                size = sum(entry.get("bytes") or 0 for entry in first)
                background = sum(entry.get("bytes") or 0 for entry in later)
                print(
                    f"{label:12} page: {len(first)} requests, {size:,} B; "
                    f"service worker: {len(later)} requests, {background:,} B"
                )
                for entry in later:
                    query = "?" + entry["query"] if entry.get("query") else ""
                    print(f"    {entry.get('bytes') or 0:6} B  {entry['path']}{query}")
                context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
