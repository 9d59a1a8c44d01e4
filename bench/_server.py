"""Helpers for the benchmarks and the server tests: a prepared database and a real gunicorn.

Everything here is bounded in time and stays on 127.0.0.1:

    with prepared_site("sqlite") as site:          # temp database, migrated, content loaded
        with Gunicorn(site.env, workers=2) as server:
            urllib.request.urlopen(server.url + "/bench/ok")

The server runs exactly the production command line (`gunicorn -c config/gunicorn.py
config.wsgi`, as in the Dockerfile) with production settings: DEBUG off, a random
SECRET_KEY, ALLOWED_HOSTS limited to the loopback, hashed and compressed static files.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = BASE_DIR / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
GUNICORN = str(VENV_BIN / "gunicorn") if (VENV_BIN / "gunicorn").exists() else "gunicorn"
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
# PostgreSQL benchmark databases are named bench_carfaults_<random>, one per prepared_site, so
# two runs on one server never drop each other's.
PG_BENCH_DB = "bench_carfaults"
# a database number of its own, and a key prefix per run on top (removed afterwards)
REDIS_DEFAULT = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")


# The start of a wrk Lua script that sums over its threads in done(): each thread is kept in
# `threads` and knows its number as `id`.
WRK_THREADS_LUA = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
"""


def fixtures() -> list[Path]:
    return sorted((BASE_DIR / "fixtures").glob("*.json"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process, minus TLS (the loopback has none)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "HTTPS", "DEBUG"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        REQUEST_LOG="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def run_manage(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    """What `manage.py <args>` printed; raises with its output when it fails."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def manage_shell(env: dict[str, str], code: str, timeout: float = 120) -> str:
    """The last line `manage.py shell -c code` printed, run against a prepared site's env."""
    lines = run_manage(env, "shell", "-v0", "-c", code, timeout=timeout).strip().splitlines()
    return lines[-1] if lines else ""


def redis_available(url: str = REDIS_DEFAULT) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except Exception:
        return False


def drop_redis_prefix(url: str, prefix: str) -> None:
    """Remove the keys a run wrote under its own prefix (and nothing else)."""
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])


@dataclass(frozen=True)
class RedisFigures:
    """What one key prefix holds in a Redis, and the instance's own memory and evictions."""

    keys: int
    bytes: int  # MEMORY USAGE summed over the prefix's keys
    used_memory: int  # the whole instance (shared with anything else it serves)
    evicted_keys: int  # the whole instance, since it started


def redis_figures(url: str, prefix: str) -> RedisFigures:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.memory_usage(key)
    sizes = pipe.execute() if keys else []
    memory, stats = client.info("memory"), client.info("stats")
    return RedisFigures(
        keys=len(keys),
        bytes=sum(size or 0 for size in sizes),
        used_memory=memory["used_memory"],
        evicted_keys=stats["evicted_keys"],
    )


@contextlib.contextmanager
def private_redis(maxmemory: str, policy: str):
    """A redis-server of our own on a free loopback port (no persistence), stopped afterwards:
    maxmemory and its policy are instance-wide, so a shared Redis cannot be given them. Yields
    its URL, or None when there is no redis-server binary."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--maxmemory", maxmemory, "--maxmemory-policy", policy],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not redis_available(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {port} did not start")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _settings_static_root(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup(); "
        "from django.conf import settings; print(settings.STATIC_ROOT)"
    )
    result = subprocess.run(
        [PYTHON, "-c", code],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": env.get("DJANGO_SETTINGS_MODULE", "config.settings")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip()


@dataclass
class Site:
    """A database with the content, static files collected, and the env to serve it."""

    kind: str
    env: dict[str, str]
    workdir: Path
    notes: list[str] = field(default_factory=list)
    content_loaded: bool = False


def _prepare_static(env: dict[str, str], workdir: Path, notes: list[str]) -> None:
    """collectstatic into a temporary STATIC_ROOT (hashed, .gz and .br siblings)."""
    static_root = workdir / "static"
    env["STATIC_ROOT"] = str(static_root)
    if _settings_static_root(env) != str(static_root):
        # config/settings.py does not read STATIC_ROOT from the environment (yet): a
        # two-line settings module in the temp dir changes only that and imports the rest.
        shim = workdir / "bench_settings.py"
        shim.write_text(
            "import os\n\nfrom config.settings import *  # noqa: F403\n\n"
            'STATIC_ROOT = os.environ["STATIC_ROOT"]\n'
        )
        env["PYTHONPATH"] = os.pathsep.join(
            [str(workdir), str(BASE_DIR), *filter(None, [env.get("PYTHONPATH")])]
        )
        env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
        notes.append("STATIC_ROOT is not read from the environment: used a settings shim")
    run_manage(env, "collectstatic", "--noinput", "-v0")


@contextlib.contextmanager
def prepared_site(
    kind: str = "sqlite",
    *,
    static: str = "collect",
    redis_url: str | None = "auto",
    **extra_env: str,
):
    """A temporary database (SQLite file or PostgreSQL `bench_carfaults_<random>`), migrated, with
    the content from fixtures/ loaded when any exists; dropped afterwards.

    static: "collect" (production: hashed + compressed, into a temp STATIC_ROOT) or
    "plain" (PLAIN_STATIC=1, no collectstatic: enough for JSON-only servers).
    redis_url: "auto" uses the local Redis when it answers (with a key prefix of its own,
    removed afterwards), None keeps the per-process memory cache.
    """
    workdir = Path(tempfile.mkdtemp(prefix=f"carfaults-{kind}-"))
    notes: list[str] = []
    env = production_env(**extra_env)
    prefix = f"bench-{secrets.token_hex(4)}"
    pg_database = f"{PG_BENCH_DB}_{prefix.removeprefix('bench-')}"
    if redis_url == "auto":
        redis_url = REDIS_DEFAULT if redis_available() else None
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["CACHE_KEY_PREFIX"] = prefix
    pg_conn = None
    try:
        if kind == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        elif kind == "postgres":
            import psycopg

            pg_conn = psycopg.connect(f"{POSTGRES_ADMIN_URL}/postgres", autocommit=True)
            pg_conn.execute(f"CREATE DATABASE {pg_database}")
            env["DATABASE_URL"] = f"{POSTGRES_ADMIN_URL}/{pg_database}"
        else:
            raise ValueError(f"unknown database kind {kind!r}")
        if static == "plain":
            env["PLAIN_STATIC"] = "1"
        else:
            env.pop("PLAIN_STATIC", None)
            _prepare_static(env, workdir, notes)
        run_manage(env, "migrate", "--noinput", "-v0")
        site = Site(kind=kind, env=env, workdir=workdir, notes=notes)
        files = fixtures()
        if files:
            run_manage(env, "load_content", *map(str, files), "-v0")
            site.content_loaded = True
        else:
            notes.append("no fixtures/*.json yet: served without content")
        yield site
    finally:
        if pg_conn is not None:
            with contextlib.suppress(Exception):
                pg_conn.execute(f"DROP DATABASE IF EXISTS {pg_database} WITH (FORCE)")
            pg_conn.close()
        if redis_url:
            drop_redis_prefix(redis_url, prefix)
            drop_redis_prefix(redis_url, f"{prefix}-state")  # the state alias (config/settings.py)
        shutil.rmtree(workdir, ignore_errors=True)


class Gunicorn:
    """`gunicorn -c config/gunicorn.py config.wsgi` on a free loopback port.

    app / pythonpath / ready_path serve another WSGI app with the same configuration (the
    bare floor of bench/floor_app.py)."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        app: str = "config.wsgi",
        pythonpath: str | None = None,
        ready_path: str = "/bench/ok",
        workers: int | None = None,
        threads: int | None = None,
        start_timeout: float = 30,
        **extra_env: str,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, **extra_env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        if workers is not None:
            self.env["WEB_CONCURRENCY"] = str(workers)
        if threads is not None:
            self.env["GUNICORN_THREADS"] = str(threads)
        self.start_timeout = start_timeout
        self.app, self.pythonpath, self.ready_path = app, pythonpath, ready_path
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile(mode="w+", prefix="gunicorn-")  # noqa: SIM115

    def __enter__(self) -> Gunicorn:
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "-c",
                "config/gunicorn.py",
                *(["--pythonpath", self.pythonpath] if self.pythonpath else []),
                self.app,
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one below
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.output()}")
            try:  # any HTTP answer means up (a foreign Host or plain HTTP may be refused)
                fetch(self.url + self.ready_path, timeout=2)
                return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"gunicorn did not answer within {self.start_timeout}s:\n{self.output()}"
        )

    def __exit__(self, *exc) -> None:
        self.stop()
        self.log.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def workers(self) -> list[int]:
        """Pids of the master's children (the workers), read from /proc."""
        return children(self.pid)

    def output(self, tail: int | None = 6000) -> str:
        """What the server wrote so far (its last `tail` characters; None: all of it)."""
        self.log.flush()
        self.log.seek(0)
        text = self.log.read()
        return text if tail is None else text[-tail:]

    def stop(self, timeout: float = 15) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # the group this object started
            self.proc.wait(timeout=5)


def stat_fields(stat: Path) -> list[str]:
    """The fields of a /proc/<pid>/stat after the command name, from the state on: "pid (comm)
    state ppid ...", where comm may hold spaces and parentheses, so split after the last ")"."""
    return stat.read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far, its threads included."""
    fields = stat_fields(Path(f"/proc/{pid}/stat"))
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def children(pid: int) -> list[int]:
    pids: set[int] = set()
    task_dir = Path(f"/proc/{pid}/task")
    found_children_file = False
    for task in task_dir.glob("*"):
        path = task / "children"
        with contextlib.suppress(OSError):
            pids.update(int(p) for p in path.read_text().split())
            found_children_file = True
    if not found_children_file:  # kernels without CONFIG_PROC_CHILDREN: scan /proc
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat_fields(stat)[1]) == pid:
                    pids.add(int(stat.parent.name))
    return sorted(pids)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is reported as it is, not followed


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str] | None = None, timeout: float = 30) -> int:
    """The status of one form POST, redirects not followed (a 303 is counted as it is); 0 when
    nothing answered."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 10):
    """(status, headers, raw body) of one GET, redirects not followed; the body stays
    compressed as sent."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
