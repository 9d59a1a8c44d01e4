"""The wizard states an owner can reach by answering what the wizard asks (issue 23).

    python bench/owner_walk.py            # counts per problem and generation
    python bench/owner_walk.py --json     # the states' URLs, one JSON list (bench/load.py)

On the database in the environment (DATABASE_URL), with a memory cache whatever REDIS_URL says.

bench/load.py's "owner walk" rows replay these states, not random sets of answers: from each
generation's first step of each problem, walk the public API (`/api/v1/diagnose`, in process
through Django's test client, with a per-process memory cache so no served cache is touched):
every option of the next question is one more state, until the wizard is done. Breadth first,
so a cap keeps the shortest paths. Each state is written as the wizard's own URL (the problem's
diagnose page with the canonical `generation` and `answers`, as the API returns them), so a
request for it is never a redirect.
"""

from __future__ import annotations

import json
import os
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Far above the shipped content's ~15,000 states; keeps a walk of a much larger content finite.
MAX_STATES = 50_000


def reachable_states(client, model: str, problem: str, generation: str) -> Iterator[str]:
    """The canonical `answers` of every state reachable from the first step (first: "")."""
    from diagnosis.query import canonical_answers

    seen = {""}
    queue = deque([""])
    while queue:
        answers = queue.popleft()
        yield answers
        params = {"model": model, "problem": problem, "generation": generation}
        if answers:
            params["answers"] = answers
        response = client.get("/api/v1/diagnose", params)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} for {params}: {response.content[:200]}")
        data = response.json()
        question = data["next_question"]
        if data["done"] or question is None:
            continue
        for option in question["options"]:
            tokens = filter(None, [*data["answers"].split(","), *option["answers"].split(",")])
            canonical = canonical_answers(dict(token.split(":", 1) for token in tokens))
            if canonical not in seen:
                seen.add(canonical)
                queue.append(canonical)


def walk_paths(max_states: int = MAX_STATES) -> list[str]:
    """Every reachable state of every problem and generation, as wizard URLs (English)."""
    from django.conf import settings
    from django.test import Client

    from kb.models import Generation, Problem

    hosts = [h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")]
    client = Client(HTTP_HOST=hosts[0] if hosts else "testserver")
    paths: list[str] = []
    for problem in Problem.objects.select_related("vehicle_model").order_by("pk"):
        if not problem.symptoms.exists():
            continue
        wizard = problem.get_diagnose_url()
        codes = Generation.objects.filter(vehicle_model=problem.vehicle_model)
        for code in codes.order_by("code").values_list("code", flat=True):
            model = problem.vehicle_model.slug
            for answers in reachable_states(client, model, problem.slug, code):
                query = f"generation={code}" + (f"&answers={answers}" if answers else "")
                paths.append(f"{wizard}?{query}")
                if len(paths) >= max_states:
                    return paths
    return paths


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # never write the walk into a served cache
    import django

    django.setup()
    paths = walk_paths()
    if "--json" in argv:
        print(json.dumps(paths))
        return 0
    counts: dict[str, int] = {}
    for path in paths:
        key = path.split("/diagnose/")[0] + " " + path.split("generation=")[1].split("&")[0]
        counts[key] = counts.get(key, 0) + 1
    for key, count in counts.items():
        print(f"{count:7,} {key}")
    print(f"{sum(counts.values()):7,} in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
