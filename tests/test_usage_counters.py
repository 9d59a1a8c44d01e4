"""Usage counters: every wizard step served counts in the cache, none writes to the database;
`flush_usage` moves the counts into daily rows, exactly once."""

import datetime as dt
import socket
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.settings import cache_settings
from diagnosis import engine
from tests.needs import redis_url
from tests.step_state import outcome_of
from tests.usage_helpers import DIAGNOSE, compiled, walk
from usage import counters, events
from usage.models import DailyCount, FlushedBatch

pytestmark = pytest.mark.django_db

PROBLEM = "nissan-qashqai/trunk-wont-open"
FIRST = f"{DIAGNOSE}?generation=j11"


def counted():
    """Pending counts without the day: {event tuple: n}."""
    found = {}
    for (_, event), number in counters.pending().items():
        found[event] = found.get(event, 0) + number
    return found


def first_question():
    urls, _ = walk()
    return urls


def test_choosing_a_generation_counts_a_start_and_the_first_question_shown(client, content):
    response = client.get(FIRST)
    assert response.status_code == 200
    question = outcome_of(response).next_question.slug
    assert counted() == {
        ("start", PROBLEM, "j11", "", "", ""): 1,
        ("shown", PROBLEM, "j11", question, "", ""): 1,
    }


def test_an_answer_counts_the_question_answered_with_its_kind_and_the_next_one_shown(
    client, content
):
    urls, _ = walk()
    first = outcome_of(client.get(urls[0])).next_question.slug
    response = client.get(urls[1])  # the first question answered "no" / "none of these"
    second = outcome_of(response).next_question.slug
    assert counted() == {
        ("start", PROBLEM, "j11", "", "", ""): 1,
        ("shown", PROBLEM, "j11", first, "", ""): 1,
        ("answer", PROBLEM, "j11", first, "n", ""): 1,
        ("shown", PROBLEM, "j11", second, "", ""): 1,
    }


def test_a_group_option_counts_as_yes_and_dont_know_as_dont_know(client, content):
    problem = compiled()
    group = next(iter(problem.groups.values()))
    member = group.members[0]
    client.get(f"{FIRST}&answers={member}:y")
    unknown = ",".join(f"{m}:u" for m in sorted(group.members))  # the canonical order
    client.get(f"{FIRST}&answers={unknown}")
    answers = {e[3:5]: n for e, n in counted().items() if e[0] == "answer"}
    assert answers == {(group.slug, "y"): 1, (group.slug, "u"): 1}


def test_a_result_counts_with_its_top_cause_and_shows_no_question(client, content):
    urls, outcome = walk()
    response = client.get(urls[-1])
    assert outcome_of(response).next_question is None
    events = counted()
    assert events[("result", PROBLEM, "j11", "", "", outcome.causes[0].fault.slug)] == 1
    assert not [e for e in events if e[0] == "shown"]


def test_a_step_served_from_the_page_cache_is_counted_too_without_sql(
    client, content, django_assert_num_queries
):
    first = client.get(FIRST)
    with django_assert_num_queries(0):
        again = client.get(FIRST)
    assert first.templates and not again.templates  # the view did not run the second time
    assert set(counted().values()) == {2}


def test_a_cached_htmx_fragment_is_counted_like_the_page(client, content):
    htmx = {"HX-Request": "true"}
    client.get(FIRST, headers=htmx)
    again = client.get(FIRST, headers=htmx)
    assert not again.templates
    assert set(counted().values()) == {2}


def test_a_wizard_step_never_writes_to_the_database(client, content):
    urls, _ = walk()
    client.get(urls[0])  # compiled content and content version now cached
    with CaptureQueriesContext(connection) as queries:
        for url in urls:
            assert client.get(url).status_code == 200
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert not DailyCount.objects.exists()
    assert sum(counted().values()) > len(urls)


def test_bad_links_history_restores_and_head_requests_are_not_counted(client, content):
    client.get(f"{FIRST}&answers=not-a-symptom:y")  # 400
    client.get(FIRST, headers={"HX-History-Restore-Request": "true", "HX-Request": "true"})
    client.head(FIRST)
    client.get(DIAGNOSE)  # the generation choice: nothing chosen yet
    assert counted() == {}


def test_steps_fetched_ahead_are_not_counted_and_the_tap_told_after_them_is(client, content):
    """The service worker fetches the next questions' steps ahead (``Purpose: prefetch``), the
    browser may too (``Sec-Purpose``); most are never tapped. A tap the worker answers from a
    kept step reaches the server afterwards as an ordinary request, and that one counts."""
    htmx = {"HX-Request": "true", "HX-Target": "step"}
    client.get(FIRST, headers={**htmx, "Purpose": "prefetch"})
    client.get(FIRST, headers={"Sec-Purpose": "prefetch;prerender"})
    assert counted() == {}
    client.get(FIRST, headers=htmx)
    assert sum(counted().values()) >= 1


def test_steps_of_staff_with_the_marker_cookie_are_not_counted(client, content):
    client.cookies["staff_view"] = "1"
    client.get(FIRST)
    assert counted() == {}


def test_no_cookie_is_set_and_nothing_about_the_client_is_kept(client, content):
    response = client.get(FIRST, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Phone/1.0")
    assert not response.cookies
    stored = repr(counters.pending())
    assert "203.0.113.9" not in stored and "Phone" not in stored


def test_counting_switched_off_counts_nothing(client, content, settings):
    settings.USAGE_COUNTING = False
    client.get(FIRST)
    assert counted() == {}


# --- flush ---------------------------------------------------------------------------------


def test_flush_writes_the_counts_and_a_second_flush_writes_nothing(client, content):
    urls, _ = walk()
    for url in urls:
        client.get(url)
    expected = counted()
    first = counters.flush()
    rows = {
        (r.kind, r.problem, r.generation, r.question, r.answer, r.fault): r.count
        for r in DailyCount.objects.all()
    }
    assert rows == expected
    assert first["events"] == sum(expected.values())
    assert counted() == {}
    second = counters.flush()
    assert second["events"] == 0
    assert {
        (r.kind, r.problem, r.generation, r.question, r.answer, r.fault): r.count
        for r in DailyCount.objects.all()
    } == rows


def test_a_later_flush_adds_to_the_days_rows(client, content):
    client.get(FIRST)
    counters.flush()
    client.get(FIRST)
    client.get(FIRST)
    counters.flush()
    assert set(DailyCount.objects.values_list("count", flat=True)) == {3}
    assert DailyCount.objects.count() == 2


def test_counts_are_kept_per_day(content):
    event = ("start", PROBLEM, "j11", "", "", "")
    counters.count([event], day=dt.date(2026, 11, 29))
    counters.count([event], day=dt.date(2026, 11, 30))
    counters.count([event], day=dt.date(2026, 11, 30))
    counters.flush()
    assert dict(DailyCount.objects.values_list("day", "count")) == {
        dt.date(2026, 11, 29): 1,
        dt.date(2026, 11, 30): 2,
    }


def test_the_flush_command_reports_what_it_wrote(client, content, capsys):
    client.get(FIRST)
    call_command("flush_usage")
    assert "2 events in 1 batches, 2 daily rows updated" in capsys.readouterr().out
    call_command("flush_usage")
    assert "0 events" in capsys.readouterr().out


# --- with Redis ----------------------------------------------------------------------------


@pytest.fixture
def redis_counters(settings):
    """The project's Redis backend (REDIS_URL, e.g. redis://127.0.0.1:6379/6); skipped
    without it, failed with REQUIRE_REDIS=1."""
    settings.CACHES = cache_settings(redis_url())
    counters.backend().clear()
    assert counters.uses_redis()
    yield counters.backend()
    counters.backend().clear()


def test_with_redis_a_step_is_one_hash_per_day_counted_on_cache_hits_too(
    client, content, redis_counters, django_assert_num_queries
):
    client.get(FIRST)
    with django_assert_num_queries(0):
        client.get(FIRST)
    counters.push()
    raw = redis_counters._cache.get_client().hgetall(
        redis_counters.make_key(f"usage:{counters.today().isoformat()}")
    )
    assert {value for value in raw.values()} == {b"2"}
    assert len(raw) == 2


def test_with_redis_flush_is_idempotent(client, content, redis_counters):
    for url in first_question()[:3]:
        client.get(url)
    expected = counted()
    counters.flush()
    counters.flush()
    rows = {
        (r.kind, r.problem, r.generation, r.question, r.answer, r.fault): r.count
        for r in DailyCount.objects.all()
    }
    assert rows == expected
    assert FlushedBatch.objects.count() == 1
    assert counted() == {}


def test_with_redis_a_batch_committed_but_not_deleted_is_not_added_twice(
    client, content, redis_counters
):
    client.get(FIRST)
    counters.flush()
    batch = FlushedBatch.objects.get().name
    # the flush died after its commit, before deleting the batch from Redis
    client_ = redis_counters._cache.get_client()
    client_.hset(batch, mapping={"start|nissan-qashqai/trunk-wont-open|j11|||": 1})
    client_.sadd(redis_counters.make_key("usage:staged"), batch)
    counters.flush()
    assert sum(DailyCount.objects.values_list("count", flat=True)) == 2
    assert not client_.exists(batch)


def test_with_redis_a_batch_staged_but_not_committed_is_written_by_the_next_flush(
    client, content, redis_counters, monkeypatch
):
    client.get(FIRST)

    def fail(*args):
        raise RuntimeError("database gone")

    monkeypatch.setattr(counters, "_add", fail)
    with pytest.raises(RuntimeError):
        counters.flush()
    monkeypatch.undo()
    assert DailyCount.objects.count() == 0
    counters.flush()
    assert sum(DailyCount.objects.values_list("count", flat=True)) == 2


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_redis_down_a_step_still_answers_and_counts_are_dropped(client, content, settings):
    settings.CACHES = cache_settings(f"redis://127.0.0.1:{closed_port()}/1")
    assert client.get(FIRST).status_code == 200
    assert not DailyCount.objects.exists()  # a step never writes to the database itself
    # A cache that works again (here the local one) and a flush: the outage's counts are gone,
    # neither kept in the process for later nor written anywhere else.
    settings.CACHES = cache_settings("")
    assert not counters.uses_redis()
    assert counters.flush() == {"batches": 0, "events": 0, "rows": 0}
    assert not DailyCount.objects.exists()


def test_counts_wait_in_the_process_and_reach_the_cache_in_one_push(content, settings):
    settings.USAGE_PUSH_SECONDS = 60  # the timer will not fire during the test
    event = ("start", PROBLEM, "j11", "", "", "")
    for _ in range(3):
        counters.count([event])
    assert counters._buffer and counters._timer is not None
    counters._timer.cancel()
    counters.push()
    assert not counters._buffer and counters._timer is None
    assert counted() == {event: 3}


def test_the_push_timer_moves_counts_to_the_cache_on_its_own(content, settings, monkeypatch):
    # Waits for the timer's own push, whenever it fires: reading counters._timer after
    # count() raced with a timer that had already fired and cleared it.
    settings.USAGE_PUSH_SECONDS = 0.05
    pushed = threading.Event()
    real_push = counters.push

    def push_and_signal(**kwargs):
        real_push(**kwargs)
        pushed.set()

    monkeypatch.setattr(counters, "push", push_and_signal)
    event = ("start", PROBLEM, "j11", "", "", "")
    counters.count([event])
    assert pushed.wait(timeout=30), "the timer never pushed"
    assert not counters._buffer
    settings.USAGE_PUSH_SECONDS = 0
    assert counted() == {event: 1}


def test_counts_from_many_threads_while_pushes_run_all_arrive_and_none_raises(content, settings):
    # count() once started its timer after releasing the lock, so a push() in between left a
    # request thread calling None.start(); every count must arrive whatever the interleaving.
    settings.USAGE_PUSH_SECONDS = 0.001
    event = ("start", PROBLEM, "j11", "", "", "")
    errors = []
    done = threading.Event()

    def counting():
        try:
            for _ in range(200):
                counters.count([event])
        except Exception as error:  # any error is the failure asserted below
            errors.append(error)

    def pushing():
        while not done.is_set():
            counters.push()

    pusher = threading.Thread(target=pushing)
    pusher.start()
    workers = [threading.Thread(target=counting) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    done.set()
    pusher.join()
    assert errors == []
    settings.USAGE_PUSH_SECONDS = 0
    # a timer may still be adding the counts it took: wait for it, not for a fixed time
    deadline = time.monotonic() + 30
    while counted() != {event: 800} and time.monotonic() < deadline:
        time.sleep(0.01)
    assert counted() == {event: 800}


def test_a_whole_diagnosis_counts_each_question_answered_once_where_it_was_shown(client, content):
    """The URL keeps the answers sorted, not in the order asked; the question answered last is
    the one the wizard asked last (engine.asking_order), so every question shown and then
    answered counts as answered, whatever its slug's place in the alphabet."""
    urls, _ = walk()
    for url in urls:
        assert client.get(url).status_code == 200  # canonical: no redirect on the way
    events = counted()
    shown = {e[3] for e in events if e[0] == "shown"}
    answered = {e[3]: n for e, n in events.items() if e[0] == "answer"}
    assert len(answered) == len(urls) - 1 >= 3
    assert set(answered) == shown and set(answered.values()) == {1}


def test_the_questions_kept_for_replays_are_bounded_and_give_the_same_answer(content, monkeypatch):
    problem = compiled()
    generation = problem.generations_by_code["j11"]
    _, outcome = walk()
    answers = outcome.answers
    first = events.last_answer(problem, generation, answers)
    kept = events._replayed(problem, generation)
    assert len(kept) == len(engine.asking_order(problem.knowledge_bases["j11"], answers)) >= 3

    monkeypatch.setattr(events, "REPLAYED_LIMIT", 2)
    assert events.last_answer(problem, generation, answers) == first  # replayed afresh
    assert events._replayed(problem, generation) is kept and len(kept) < 2 + len(answers)
