"""Where a never-seen wizard step spends its time: in process, through the whole WSGI stack.

    python bench/profile_step.py                 # 400 random states per kind, cProfile top 25
    python bench/profile_step.py -n 1000 --top 40 --kind htmx
    python bench/profile_step.py --parts          # also: a never-seen API state in parts

Production settings (DEBUG off, a temporary SQLite database with the shipped content, the
Redis cache on REDIS_URL when one answers, else the memory cache, request log off), called
as gunicorn calls the app (config/wsgi.py's: the front door around Django's handler, with a WSGI
environ). Each request asks for a new
random state, as bench/load.py's Lua script does, so every step is a page-cache miss. Prints
the mean wall and CPU time per request of each kind, then the cProfile of the chosen kind,
sorted by own time and by cumulative time, and the time spent in each middleware.

The machine's speed moves about 2 x between runs at the same load average, so each run also
measures a reference in the same minute: ``bare``, the same ``/bench/ok`` view (an
``HttpResponse("ok")``) through a ``WSGIHandler`` with no middleware at all, interleaved with
the measured kinds (each kind in ROUNDS slices, a slice of the reference before each). Each
kind is printed in ms and as a multiple of it ("× bare"): a slow machine moves both, a slower
step only its own. After the setup the objects made so far are frozen out of the garbage
collector's reach, as each gunicorn worker does after the fork (config/gunicorn.py).
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import gc
import io
import os
import pstats
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))

from _server import drop_redis_prefix  # noqa: E402

# Each kind is measured in this many slices, each after a slice of the reference (``bare``).
ROUNDS = 8


def setup(redis_url: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="carfaults-profile-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'profile.sqlite3'}",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        REQUEST_LOG="0",
        LOG_LEVEL="WARNING",
        PLAIN_STATIC="1",
    )
    os.environ.pop("REDIS_URL", None)
    if redis_url:
        try:
            import redis

            redis.Redis.from_url(redis_url, socket_timeout=1).ping()
            os.environ["REDIS_URL"] = redis_url
            prefix = os.environ["CACHE_KEY_PREFIX"] = f"profile-{secrets.token_hex(4)}"
            atexit.register(drop_redis_prefix, redis_url, prefix)
        except Exception:
            print(f"no Redis at {redis_url}: memory cache", file=sys.stderr)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fixtures = sorted(str(path) for path in (BASE_DIR / "fixtures").glob("*.json"))
    call_command("load_content", *fixtures, verbosity=0)
    gc.collect()
    gc.freeze()  # as each gunicorn worker does after the fork (config/gunicorn.py, post_fork)


def states():
    """Problems with their generations and symptoms, from the database."""
    from kb.models import Generation, Problem

    found = []
    for problem in Problem.objects.select_related("vehicle_model"):
        symptoms = list(problem.symptoms.values_list("slug", "group__slug"))
        generations = list(
            Generation.objects.filter(vehicle_model=problem.vehicle_model).values_list(
                "code", flat=True
            )
        )
        if symptoms and generations:
            found.append((problem, generations, symptoms))
    return found


def random_query(rng: random.Random, problems) -> tuple[str, str, str]:
    problem, generations, symptoms = rng.choice(problems)
    picked = rng.sample(symptoms, rng.randint(0, min(6, len(symptoms))))
    tokens, yes_in = [], set()
    for slug, group in picked:  # one yes per exclusive question, as bench/load.py asks
        value = rng.choice("ynu")
        if value == "y" and group:
            value = "n" if group in yes_in else value
            yes_in.add(group)
        tokens.append((slug, value))
    # the canonical order, the symptoms' slugs (else each state is a 301: diagnosis/query.py)
    answers = ",".join(f"{slug}:{value}" for slug, value in sorted(tokens))
    query = f"generation={rng.choice(generations)}" + (f"&answers={answers}" if answers else "")
    return problem.get_diagnose_url(), problem.vehicle_model.slug, problem.slug, query


def environ(path: str, query: str, htmx: bool) -> dict:
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_ENCODING": "gzip, br",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if htmx:
        env["HTTP_HX_REQUEST"] = "true"
    return env


# The states each kind has asked for in this run. Random draws repeat (a state with no answer
# is one of a dozen), and a repeat is a hit in the process's page layer, not a never-seen step:
# until 2026-12-05 about one request in four of each kind was one, and the means were low.
DRAWN: dict[str, set] = {}


def requests(kind: str, n: int, seed: int, problems):
    rng = random.Random(seed)
    drawn = DRAWN.setdefault(kind, set())
    for _ in range(n):
        if kind in ("floor", "bare"):
            yield environ("/bench/ok", "", False)
            continue
        path, model, problem, query = random_query(rng, problems)
        while (path, query) in drawn:
            path, model, problem, query = random_query(rng, problems)
        drawn.add((path, query))
        if kind == "api":
            yield environ("/api/v1/diagnose", f"model={model}&problem={problem}&{query}", False)
        else:
            yield environ(path, query, kind == "htmx")


def call(app, env) -> int:
    status = []
    body = app(env, lambda s, h, exc_info=None: status.append(s))
    for _ in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0])


def bare_app():
    """The reference: Django's handler with no middleware around the project's /bench/ok view,
    what any Django request costs on this machine now."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    with override_settings(MIDDLEWARE=[]):
        return WSGIHandler()


def mean_ms(app, envs) -> float:
    """CPU time of this process per request: steadier than wall time on a shared machine
    (it leaves out the wait for Redis, which the wall-time figures above include)."""
    started = time.process_time()
    for env in envs:
        call(app, env)
    return (time.process_time() - started) / len(envs) * 1000


# Removed together: authentication and messages need the session middleware.
GROUPS = {
    "sessions + auth + messages": (
        "web.pages_only.SessionMiddleware",
        "web.pages_only.AuthenticationMiddleware",
        "web.pages_only.MessageMiddleware",
    ),
}
KEEP = {"django_htmx.middleware.HtmxMiddleware"}  # the wizard reads request.htmx


def ablate(problems, n: int, rounds: int = 5) -> None:
    """Mean ms per request of each kind with the whole stack, then without each middleware
    (or group) in turn: what each one costs on an anonymous GET. The best of `rounds`
    rounds, the stacks interleaved, so background load moves them alike."""
    from django.conf import settings
    from django.test import override_settings

    from config.front_door import FrontDoor, Handler

    full = list(settings.MIDDLEWARE)
    grouped = {m for members in GROUPS.values() for m in members}
    variants = {"(nothing: the whole stack)": ()}
    variants.update({m: (m,) for m in full if m not in grouped and m not in KEEP})
    variants.update(GROUPS)
    kinds = ("floor", "page", "htmx", "api")
    apps = {}
    for label, left_out in variants.items():
        with override_settings(MIDDLEWARE=[m for m in full if m not in left_out]):
            apps[label] = FrontDoor(Handler())
    best = {label: [float("inf")] * len(kinds) for label in variants}
    for round_ in range(rounds):
        for v, (label, app) in enumerate(apps.items()):
            for i, kind in enumerate(kinds):
                # seeds of their own: no variant gets page-cache hits from another's states
                envs = list(requests(kind, n, 1_000_000 * round_ + 1000 * v + i, problems))
                best[label][i] = min(best[label][i], mean_ms(app, envs))
    print(
        f"middleware ablation, best of {rounds} rounds of {n} never-seen states (CPU ms/request):"
    )
    print(f"  {'without':52} " + " ".join(f"{k:>6}" for k in kinds))
    base = best["(nothing: the whole stack)"]
    for label, times in best.items():
        saved = (
            ""
            if label.startswith("(")
            else "  saves " + " ".join(f"{b - t:+6.2f}" for b, t in zip(base, times, strict=True))
        )
        print(f"  {label:52} " + " ".join(f"{t:6.2f}" for t in times) + saved, flush=True)


def api_parts(app, problems, n: int) -> None:
    """What a never-seen API state's CPU is made of, each part over the same new states, in
    this run: the whole request; the floor (``/bench/ok`` through the whole stack, the page
    cache's lookup of a miss included); and the parts the API view runs that a floor request
    does not, each called as the view calls it: the diagnosis (``service.diagnose``), its plan
    (``Outcome.plan``), the body (``api_json.diagnosis``), gzip of the body
    (``web.compression.compress``); the Redis lookup of a missing page (part of the floor too),
    for scale. The rest is the request around them: the query parsed, the response made, the
    page cache's key and its store of the miss, headers, the middleware on a bigger response."""
    from django.core.cache import cache
    from django.http import QueryDict

    from diagnosis import api_json, content, service
    from diagnosis.query import parse
    from web.compression import compress

    def cpu_us(function, items) -> float:
        started = time.process_time()
        for item in items:
            function(item)
        return (time.process_time() - started) / len(items) * 1e6

    states = []
    for env in requests("api", n, 99, problems):
        params = QueryDict(env["QUERY_STRING"])
        compiled = content.compiled_problem(params["model"], params["problem"])
        query = parse(compiled, params)
        if query.generation is not None and not query.errors:
            states.append((env, compiled, query))
    whole = cpu_us(lambda state: call(app, state[0]), states[: len(states) // 2])
    floor = cpu_us(lambda _: call(app, environ("/bench/ok", "", False)), states)
    states = states[len(states) // 2 :]  # the view's parts on states no request has asked for
    outcomes = []
    diagnosis = cpu_us(
        lambda s: outcomes.append(
            service.diagnose(s[1], s[2].generation, s[2].answers, links=False)
        ),
        states,
    )
    plan = cpu_us(lambda outcome: outcome.plan, outcomes)
    bodies = []
    body = cpu_us(
        lambda o: bodies.append(api_json.diagnosis(o, self_url="/api").encode()), outcomes
    )
    gzip = cpu_us(compress, bodies)
    missing = [f"page:missing-{secrets.token_hex(8)}" for _ in states]
    lookup = cpu_us(cache.get, missing)
    rest = whole - floor - diagnosis - plan - body - gzip
    print(f"a never-seen API state, CPU µs, {len(states)} states per part (mean):")
    for label, value in (
        ("the whole request", whole),
        ("  the floor (/bench/ok, the whole stack)", floor),
        ("    of it, the page cache's lookup of a miss", lookup),
        ("  the diagnosis (service.diagnose)", diagnosis),
        ("  its plan (Outcome.plan)", plan),
        ("  the body (api_json.diagnosis)", body),
        (f"  gzip of the body ({statistics.mean(map(len, bodies)):,.0f} B)", gzip),
        ("  the rest of the request", rest),
    ):
        print(f"  {label:52} {value:7.0f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=400, help="requests per kind")
    parser.add_argument("--kind", default="page", choices=["page", "htmx", "api", "floor"])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/4", help="'' for none")
    parser.add_argument(
        "--ablate", action="store_true", help="also time each kind without each middleware"
    )
    parser.add_argument(
        "--parts", action="store_true", help="also split a never-seen API state's CPU in parts"
    )
    args = parser.parse_args(argv)
    setup(args.redis)
    from config.front_door import FrontDoor, Handler

    app = FrontDoor(Handler())  # as config/wsgi.py serves it
    problems = states()
    if args.ablate:
        ablate(problems, args.n)
    for env in requests("page", 20, 1, problems):  # warm: compiled content, templates
        call(app, env)
    if args.parts:
        api_parts(app, problems, args.n)
    bare = bare_app()
    kinds = ("floor", "page", "htmx", "api")
    wall = {kind: [] for kind in ("bare", *kinds)}
    cpu = {kind: [] for kind in ("bare", *kinds)}
    bad = dict.fromkeys(kinds, 0)
    # In ROUNDS slices, the reference measured before each kind's slice: a change of the
    # machine's speed during the run moves the reference with the kinds.
    for round_ in range(ROUNDS):
        for number, kind in enumerate(kinds):
            for name, handler in (("bare", bare), (kind, app)):
                seed = 1000 * (round_ + 1) + 10 * number + (name == "bare")
                envs = list(requests(name, max(1, args.n // ROUNDS), seed, problems))
                started, used = time.perf_counter(), time.process_time()
                codes = [call(handler, env) for env in envs]
                wall[name].append((time.perf_counter() - started) / len(envs) * 1000)
                cpu[name].append((time.process_time() - used) / len(envs) * 1000)
                if name != "bare":
                    bad[name] += sum(1 for c in codes if c != 200)
    # the mean: a rare cost (a full garbage collection) is part of what a request costs
    reference = statistics.mean(cpu["bare"])
    print(
        f"per request, {args.n} never-seen states each, in {ROUNDS} slices: "
        "wall ms, CPU ms, CPU × bare"
    )
    for kind in ("bare", *kinds):
        ms = statistics.mean(cpu[kind])
        print(
            f"  {kind:6} {statistics.mean(wall[kind]):6.2f} {ms:6.2f} {ms / reference:7.1f}"
            + (f"   ({bad[kind]} non-200)" if bad.get(kind) else "")
        )
    print(
        "  (bare: /bench/ok through a WSGIHandler with no middleware, a slice before each "
        "slice of every kind)"
    )

    envs = list(requests(args.kind, args.n, 7, problems))
    profiler = cProfile.Profile()
    profiler.enable()
    for env in envs:
        call(app, env)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    print(f"\ncProfile, {args.kind}: {total / len(envs) * 1000:.2f} ms per request (profiled)")
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(args.top)
        print(f"\n-- by {sort} --")
        print("\n".join(out.getvalue().splitlines()[6:]))
    print("-- middleware, inclusive (ms per request) --")
    for (filename, _, name), row in stats.stats.items():
        if name == "__call__" and ("middleware" in filename or "htmx" in filename):
            print(f"  {row[3] / len(envs) * 1000:6.2f}  {filename.split('site-packages/')[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
