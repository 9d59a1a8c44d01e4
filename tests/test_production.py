"""Production readiness: the deploy check, security headers, hashed and compressed static
files, and the Dockerfile's own command lines (no Docker engine needed to run them here)."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
if not Path(PYTHON).exists():
    PYTHON = sys.executable

HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
ONE_YEAR = 365 * 24 * 60 * 60


def deploy_check(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "DEBUG",
            "PLAIN_STATIC",
            "HTTPS",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(env_overrides)
    return subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "example.org",
    "HTTPS": "1",
}


def test_deploy_check_passes_with_production_settings():
    result = deploy_check(**PRODUCTION, SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_rejects_the_development_key():
    result = deploy_check(**PRODUCTION)  # no SECRET_KEY: the "django-insecure-" fallback
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_deploy_check_rejects_debug_and_plain_http():
    result = deploy_check(
        DEBUG="1", ALLOWED_HOSTS="example.org", SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W018" in output  # DEBUG on
    assert "security.W008" in output  # no SSL redirect


# --- response headers -------------------------------------------------------------------

HTTPS_ON = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "ALLOWED_HOSTS": ["example.org"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/bench/ok", "/healthz", "/robots.txt"])
def test_security_headers_on_every_response(path):
    with override_settings(**HTTPS_ON):
        response = Client().get(path, secure=True, headers={"host": "example.org"})
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts


@pytest.mark.django_db
def test_plain_http_is_redirected_and_the_proxy_header_trusted():
    with override_settings(**HTTPS_ON):
        client = Client(headers={"host": "example.org"})
        redirect = client.get("/bench/ok")
        proxied = client.get("/bench/ok", headers={"x-forwarded-proto": "https"})
    assert redirect.status_code == 301
    assert redirect.headers["Location"] == "https://example.org/bench/ok"
    assert "Strict-Transport-Security" not in redirect.headers  # only sent over HTTPS
    assert proxied.status_code == 200
    assert "Strict-Transport-Security" in proxied.headers


@pytest.mark.django_db
def test_unknown_host_is_refused():
    with override_settings(ALLOWED_HOSTS=["example.org"]):
        response = Client().get("/bench/ok", headers={"host": "evil.example.com"})
    assert response.status_code == 400


# --- static files -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic with the production storage into a temporary STATIC_ROOT."""
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages, DEBUG=False):
        # Django's admin files are left out: 150 of them, known good, 4 s of brotli here
        call_command("collectstatic", "--noinput", verbosity=0, ignore_patterns=["admin"])
        yield root


def test_production_settings_select_the_hashed_compressed_storage():
    code = "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PLAIN_STATIC"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0")
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "config.storage.StaticFilesStorage", out.stderr


def test_collected_static_files_are_hashed_and_precompressed(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    sources = [
        p.relative_to(BASE_DIR / "static").as_posix()
        for p in (BASE_DIR / "static").rglob("*")
        if p.is_file()
    ]
    assert sources, "static/ is empty"
    for name in sources:
        hashed = manifest[name]
        assert HASHED.search(hashed), hashed
        assert (collected / hashed).is_file()
        if name.endswith((".css", ".js", ".svg", ".json", ".txt")):
            size = (collected / hashed).stat().st_size
            if size >= 1024:  # whitenoise keeps a compressed copy only when it saves >= 5%
                assert (collected / f"{hashed}.gz").is_file(), hashed
                assert (collected / f"{hashed}.br").is_file(), hashed


def test_the_web_manifest_names_the_icon_the_pages_link(collected):
    # One download of the icon on a first view: the manifest and the pages name the same file.
    paths = json.loads((collected / "staticfiles.json").read_text())["paths"]
    manifest = json.loads((collected / paths["site.webmanifest"]).read_text())
    icon = paths["icons/favicon.svg"]
    assert [i["src"] for i in manifest["icons"]] == [icon]
    assert (collected / icon).is_file()


@pytest.mark.django_db
def test_whitenoise_serves_hashed_files_compressed_with_long_max_age(collected):
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=collected, STORAGES=storages, DEBUG=False):
        url = staticfiles_storage.url("js/htmx.min.js")
        assert HASHED.search(url), url  # {% static %} gives the hashed name
        client = Client()  # a new client: whitenoise scans STATIC_ROOT when it is built
        for accept, encoding in [("gzip, br", "br"), ("gzip", "gzip"), ("", None)]:
            response = client.get(url, headers={"accept-encoding": accept})
            assert response.status_code == 200
            body = b"".join(response.streaming_content)
            assert body
            assert response.headers.get("Content-Encoding") == encoding
            assert "Accept-Encoding" in response.headers.get("Vary", "")
            cache_control = response.headers["Cache-Control"]
            max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
            assert max_age >= ONE_YEAR and "immutable" in cache_control, cache_control
            response.close()


# --- the Dockerfile's command lines, run here (no Docker engine on this machine) ----------


def dockerfile_json(instruction: str) -> list[str]:
    """The exec-form (JSON array) arguments of the last INSTRUCTION in the Dockerfile."""
    text = (BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    found = None
    for line in text.splitlines():
        match = re.match(rf"\s*{instruction}\s+(?:--\S+\s+)*(?:CMD\s+)?(\[.*\])\s*$", line)
        if match:
            found = json.loads(match.group(1))
    assert found, f"no exec-form {instruction} in the Dockerfile"
    return found


def test_dockerfile_command_and_healthcheck_work_here(tmp_path):
    sys.path.insert(0, str(BASE_DIR / "bench"))
    try:
        from _server import Gunicorn, fetch, free_port, production_env
    finally:
        sys.path.remove(str(BASE_DIR / "bench"))

    cmd = dockerfile_json("CMD")
    assert cmd[:3] == ["gunicorn", "-c", "config/gunicorn.py"] and cmd[3] == "config.wsgi"
    healthcheck = dockerfile_json("HEALTHCHECK")
    assert healthcheck[0] == "python"

    port = free_port()
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PLAIN_STATIC="1",
        ALLOWED_HOSTS="faults.example.org",
        HTTPS="1",
        PORT=str(port),
    )
    # /healthz runs `SELECT 1`: an empty SQLite file is enough, no migrations needed
    server = Gunicorn(env, workers=1, threads=2)
    # the Dockerfile's CMD binds 0.0.0.0:$PORT; keep it on the loopback here
    server.port, server.url = port, f"http://127.0.0.1:{port}"
    server.env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    with server:
        # plain HTTP with a foreign Host is refused, as it would be behind the balancer
        status, _, _ = fetch(server.url + "/healthz")
        assert status == 400
        check = subprocess.run(
            [PYTHON, *healthcheck[1:]], env=env, capture_output=True, text=True, timeout=15
        )
        assert check.returncode == 0, check.stderr
        assert (
            subprocess.run(
                [PYTHON, *healthcheck[1:]],
                env={**env, "PORT": str(free_port())},  # nothing listens there
                capture_output=True,
                timeout=15,
            ).returncode
            != 0
        )


def test_the_image_copies_every_app_of_the_project():
    """An app added to INSTALLED_APPS but not COPY'd into both Dockerfile stages builds a
    venv that cannot start Django (it happened: reports and usage, issue 11)."""
    dockerfile = (Path(settings.BASE_DIR) / "Dockerfile").read_text()
    ours = [app for app in settings.INSTALLED_APPS if (Path(settings.BASE_DIR) / app).is_dir()]
    assert {"kb", "diagnosis", "reports", "usage"} <= set(ours)
    for app in ours:
        assert dockerfile.count(f"COPY {app} ./{app}") == 2, app
        assert f"/app/{app}" in dockerfile, f"{app} is not byte-compiled in the image"
