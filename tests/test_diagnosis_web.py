"""The wizard and the API: one query format, clear errors, constant queries, fresh content."""

import datetime
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnosis import content as compiled_content
from kb.models import Fault, Likelihood
from kb.numbers import duration_range, money_range
from tests.step_state import outcome_of

pytestmark = pytest.mark.django_db

WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"
API = "/api/v1/diagnose"
BASE = {"model": "nissan-qashqai", "problem": "trunk-wont-open"}


def api(client, **params):
    """The API's answer, as an HTTP client that follows redirects gets it (answers in the
    order asked are redirected to their canonical order: tests/test_canonical_urls.py)."""
    return client.get(API, {**BASE, **params}, follow=True)


def cold_cache():
    cache.clear()
    compiled_content._local.clear()


# --- the API's JSON -----------------------------------------------------------------------


def test_api_answers_candidates_next_question_and_links(client, content):
    data = api(client, generation="j11", answers="no-sound-on-press:y").json()
    assert set(data) >= {"candidates", "next_question", "done", "links"}
    first = data["candidates"][0]
    assert set(first) >= {"fault", "name", "probability", "why", "url", "procedures"}
    assert abs(sum(c["probability"] for c in data["candidates"]) - 1) < 1e-3
    # a member's answer answers its group: neither is asked again
    assert data["next_question"]["symptom"] not in ("no-sound-on-press", "press-result")
    assert set(data["next_question"]) == {"symptom", "text", "help", "why", "options"}
    assert data["links"]["emergency"].startswith("/nissan-qashqai/procedures/")
    fault_page = client.get(first["url"])
    assert fault_page.status_code == 200, first["url"]
    assert first["name"] in fault_page.content.decode()


def test_a_group_question_offers_each_member_none_and_dont_know_as_token_lists(client, content):
    tokens: list[str] = []
    question = api(client, generation="j11").json()["next_question"]
    while question["symptom"] != "press-result":  # answer "don't know" until it is asked
        assert len(tokens) < 8, tokens
        tokens.append(next(o["answers"] for o in question["options"] if o["label"] == "Don't know"))
        question = api(client, generation="j11", answers=",".join(tokens)).json()["next_question"]
    assert question["text"].startswith("What happens when you press")
    assert [o["answers"] for o in question["options"]] == [
        "no-sound-on-press:y,motor-clicks-lid-stays:n",
        "no-sound-on-press:n,motor-clicks-lid-stays:y",
        "no-sound-on-press:n,motor-clicks-lid-stays:n",
        "no-sound-on-press:u,motor-clicks-lid-stays:u",
    ]
    assert [o["label"] for o in question["options"]][2:] == ["Something else", "Don't know"]
    assert question["why"].startswith("Why we ask: if you answer “Complete silence")


def test_a_yes_no_question_offers_yes_no_and_dont_know(client, content):
    tokens = ["no-sound-on-press:y,motor-clicks-lid-stays:n"]
    question = api(client, generation="j11", answers=tokens[0]).json()["next_question"]
    while len(question["options"]) != 3:  # groups first: answer them "don't know"
        assert len(tokens) < 8, tokens
        tokens.append(question["options"][-1]["answers"])
        question = api(client, generation="j11", answers=",".join(tokens)).json()["next_question"]
    slug = question["symptom"]
    assert [o["answers"] for o in question["options"]] == [f"{slug}:y", f"{slug}:n", f"{slug}:u"]
    assert [o["label"] for o in question["options"]] == ["Yes", "No", "Don't know"]


def test_two_yes_answers_to_one_question_keep_the_first_and_say_why(client, content):
    response = api(client, generation="j11", answers="no-sound-on-press:y,motor-clicks-lid-stays:y")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["part"] == "answers"
    assert "cannot both be yes" in error["message"]
    assert error["valid"] == ["no-sound-on-press", "motor-clicks-lid-stays"]
    page = client.get(
        WIZARD, {"generation": "j11", "answers": "no-sound-on-press:y,motor-clicks-lid-stays:y"}
    )
    assert page.status_code == 400
    shown = page.content.decode()
    alert = shown.split('role="alert"')[1].split("</div>")[0]
    assert "This link gives two answers to «What happens when you press" in alert
    assert "motor-clicks-lid-stays" not in alert  # the options in words, not tokens


def test_why_names_the_answer_that_moved_the_cause(client, content):
    data = api(client, generation="j10", answers="handle-no-resistance:y").json()
    cable = next(c for c in data["candidates"] if c["fault"] == "release-cable-broken")
    assert cable["why"][0]["symptom"] == "handle-no-resistance"
    assert cable["why"][0]["effect"] == "raises"
    assert cable["why"][0]["text"].startswith("You answered “Too easy")


def test_unknown_answer_changes_nothing(client, content):
    plain = api(client, generation="j11", answers="no-sound-on-press:y").json()
    with_unknown = api(
        client, generation="j11", answers="no-sound-on-press:y,voltage-at-lock:u"
    ).json()
    assert [c["probability"] for c in plain["candidates"]] == [
        c["probability"] for c in with_unknown["candidates"]
    ]
    assert with_unknown["next_question"]["symptom"] != "voltage-at-lock"


NEXT_YEAR = datetime.date.today().year + 1
GENERATIONS = ["j10", "j11", "j11-facelift", "j12"]
YES_NO_UNKNOWN = ["y", "n", "u"]


@pytest.mark.parametrize(
    ("params", "part", "valid"),
    [
        ({"generation": "j99"}, "generation", GENERATIONS),
        ({"year": "1999"}, "year", [f"2007–{NEXT_YEAR}"]),
        ({"year": "soon"}, "year", [f"2007–{NEXT_YEAR}"]),
        ({"generation": "j11", "answers": "no-sound-on-press:maybe"}, "answers", YES_NO_UNKNOWN),
        ({"generation": "j11", "answers": "no-sound-on-press"}, "answers", YES_NO_UNKNOWN),
        (
            {"generation": "j11", "answers": "no-sound-on-press:y,no-sound-on-press:n"},
            "answers",
            [],
        ),
        ({}, "generation", GENERATIONS),
        ({"model": "tesla"}, "model", ["nissan-qashqai"]),
        ({"generation": "j11", "answers": "x:y," * 1000}, "query", []),
    ],
)
def test_bad_input_is_a_400_naming_the_part_and_the_valid_values(
    client, content, params, part, valid
):
    response = client.get(API, {**BASE, **params})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["part"] == part
    assert error["message"]
    assert error["valid"] == valid


@pytest.mark.parametrize(
    ("params", "part", "members"),
    [
        (
            {"generation": "j11", "answers": "no-such-symptom:y"},
            "answers",
            {"no-sound-on-press", "handle-no-resistance"},
        ),
        (
            {"problem": "engine-on-fire"},
            "problem",
            {"trunk-wont-open", "trunk-opens-then-closes"},
        ),
    ],
)
def test_an_unknown_slug_is_a_400_listing_the_known_ones(client, content, params, part, members):
    # The content grows, so these lists are checked for whole members, not as a fixed list.
    error = client.get(API, {**BASE, **params}).json()["error"]
    assert error["part"] == part
    assert members <= set(error["valid"]), error


# --- the wizard ---------------------------------------------------------------------------


def test_wizard_first_asks_for_the_generation_or_year(client, content):
    page = client.get(WIZARD).content.decode()
    assert 'href="/nissan-qashqai/trunk-wont-open/diagnose/?generation=j10"' in page
    assert 'name="year"' in page
    assert "Get my things out now" in page


def test_year_is_mapped_and_the_question_asked(client, content):
    response = client.get(WIZARD, {"year": "2016"}, follow=True)
    assert response.redirect_chain == [(f"{WIZARD}?generation=j11", 301)]
    page = response.content.decode()
    assert "J11" in page and "Question 1" in page
    assert "?generation=j11&amp;answers=" in page


def test_every_step_offers_the_emergency_procedure(client, content):
    answers = ""
    for _ in range(4):
        response = client.get(WIZARD, {"generation": "j11", "answers": answers}, follow=True)
        page = response.content.decode()
        assert "Get my things out now" in page
        assert outcome_of(response) is not None
        nxt = outcome_of(response).next_question
        if nxt is None:
            break
        answers = ",".join(filter(None, [answers, f"{nxt.slug}:n"]))


def test_htmx_request_gets_only_the_step_partial(client, content):
    full = client.get(WIZARD, {"generation": "j11"})
    fragment = client.get(WIZARD, {"generation": "j11"}, headers={"HX-Request": "true"})
    assert b"<html" in full.content and b"<html" not in fragment.content
    assert b'id="question-heading"' in fragment.content
    # The header's language switch comes out of band, for this step's URL; then the step.
    switch, _, step = fragment.content.strip().partition(b"</nav>")
    assert switch.startswith(b'<nav class="lang-switch" id="lang-switch"')
    assert b'data-hx-swap-oob="true"' in switch
    assert step.strip() in full.content  # the same partial, never drifting apart
    assert "HX-Request" in fragment["Vary"]


class BoostedLinks(HTMLParser):
    """The links of a page, each with whether htmx boosts it: the nearest data-hx-boost
    around it says "true"."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self):
        super().__init__()
        self.stack: list[str | None] = []  # each open element's data-hx-boost, or None
        self.links: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            boost = next(
                (b for b in reversed([*self.stack, attrs.get("data-hx-boost")]) if b), None
            )
            self.links.append((attrs.get("href", ""), boost == "true"))
        if tag not in self.VOID:
            self.stack.append(attrs.get("data-hx-boost"))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()


@pytest.mark.parametrize(
    "answers",
    ["doors-lock-unlock-ok:n,no-sound-on-press:y", "car-electrics-weak:y,no-sound-on-press:y"],
    ids=["question", "result"],
)
def test_htmx_swaps_in_only_the_links_to_another_step(client, content, answers):
    # What htmx takes over is what leads to another step: the answers, "change", the tools,
    # the chips of the answers so far, "Start over". A cause, a repair card, the plan's checks,
    # the share and print links open their own pages (htmx would put a whole page into the
    # step), and htmx has fewer elements to process after each swap.
    fragment = client.get(
        WIZARD, {"generation": "j11", "answers": answers}, headers={"HX-Request": "true"}
    )
    parser = BoostedLinks()
    parser.feed(fragment.content.decode())
    links = parser.links  # the header's language switch (out of band) included: a page load
    to_steps = [href for href, _ in links if href.startswith(WIZARD + "?") or href == WIZARD]
    assert to_steps and any("answers=" in href for href in to_steps)
    assert [href for href, boosted in links if boosted] == to_steps
    assert len(links) > len(to_steps)  # causes, repair cards…: not boosted


def test_a_finished_result_loads_no_htmx_and_a_question_does(client, content):
    # A result loaded as a page has nothing to answer: its links and the report form work as
    # plain links and a plain POST; its first view is 15 KB lighter (the 30 KB budget).
    result = client.get(
        WIZARD, {"generation": "j11", "answers": "car-electrics-weak:y,no-sound-on-press:y"}
    ).content.decode()
    question = client.get(WIZARD, {"generation": "j11"}).content.decode()
    assert "Result: the likely causes" in result
    for script in ("js/htmx.min.js", "js/wizard.js"):
        assert script not in result
        assert script in question
    assert 'name="htmx-config"' in question and 'name="htmx-config"' not in result


def test_history_restore_gets_the_full_page(client, content):
    response = client.get(
        WIZARD,
        {"generation": "j11"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in response.content


def test_answers_so_far_can_each_be_changed_or_removed(client, content):
    page = client.get(
        WIZARD, {"generation": "j11", "answers": "doors-lock-unlock-ok:n,no-sound-on-press:y"}
    ).content.decode()
    # the press question answered "the motor clicks" instead, its tokens in their one order
    assert "answers=doors-lock-unlock-ok:n,motor-clicks-lid-stays:y,no-sound-on-press:n" in page
    assert 'answers=doors-lock-unlock-ok:n"' in page  # the press question removed


def test_wizard_shows_the_error_and_keeps_the_valid_answers(client, content):
    response = client.get(WIZARD, {"generation": "j11", "answers": "no-sound-on-press:y,bogus:y"})
    assert response.status_code == 400
    page = response.content.decode()
    alert = page.split('role="alert"')[1].split("</div>")[0]
    assert "This link answers a question we do not ask (any more)" in alert
    assert "bogus" not in alert  # an owner reads words, never a link's tokens
    assert outcome_of(response).answers == {"no-sound-on-press": "y"}
    assert 'id="question-heading"' in page  # the user can go on


def test_unknown_model_or_problem_is_a_404(client, content):
    assert client.get("/tesla/trunk-wont-open/diagnose/").status_code == 404
    assert client.get("/nissan-qashqai/engine-on-fire/diagnose/").status_code == 404


# Two finished results: seven answers that all point at the broken cable (its repair lists
# tools), and the lock actuator's signs (its replacement is the procedure the article prices).
FINISHED = {
    "cable": (
        "j10",
        "handle-no-resistance:y,motor-clicks-lid-stays:y,high-mileage-yanked:y,handle-cracked:n,"
        "freezing-temperature:n,lid-press-releases:n,no-sound-on-press:n",
    ),
    "lock actuator": (
        "j12",
        "no-sound-on-press:n,motor-clicks-lid-stays:y,handle-no-resistance:n,handle-stiff:n,"
        "dashboard-lock-error:y,lid-press-releases:n,freezing-temperature:n,voltage-at-lock:y,"
        "water-near-lock:n",
    ),
}


def test_result_shows_procedures_with_steps_tools_cost_and_time(client, content):
    shown = []
    for name, (generation, facts) in FINISHED.items():
        response = client.get(WIZARD, {"generation": generation, "answers": facts}, follow=True)
        assert response.status_code == 200, name
        outcome = outcome_of(response)
        page = response.content.decode()
        assert outcome.done, (name, outcome.next_question)
        assert "Result: the likely causes" in page
        for procedure in {p.slug: p for c in outcome.top_causes for p in c.procedures}.values():
            card = procedure_card(page, procedure.title)
            assert "<h3>Steps</h3>" in card, procedure.slug
            for step in procedure.steps:
                assert escape(step.text) in card, (procedure.slug, step.number)
            low, high = procedure.time_min_minutes, procedure.time_max_minutes
            assert duration_range(low, high) in card, procedure.slug
            for tool in procedure.tools:
                assert f"<li>{escape(tool)}</li>" in card, (procedure.slug, tool)
            for cost in procedure.costs:
                money = money_range(cost.low, cost.high, procedure.currency)
                assert f"<dt>{cost.label}</dt><dd>{money}" in card, (procedure.slug, cost)
            shown.append(procedure)
    # The loops above check only what the content gives: make sure it gave tools and prices.
    assert any(p.tools for p in shown) and any(p.costs for p in shown), [p.slug for p in shown]


def procedure_card(page: str, title: str) -> str:
    """The HTML of the result's expandable card for one procedure, from its summary on."""
    start = page.index(f"</span> {escape(title)}")
    return page[start : page.index("</details>", start)]


# --- queries and caching ------------------------------------------------------------------


def test_a_step_costs_at_most_three_queries_cold_and_none_warm(
    client, content, django_assert_max_num_queries, django_assert_num_queries
):
    # "Warm" means the compiled content is warm: each warm step is a state never asked before,
    # so the page cache cannot answer it and only compiled content shared between steps (in
    # this process, then through the shared cache) makes it free.
    cold = {"generation": "j11", "answers": "no-sound-on-press:y"}
    another_answer = {"generation": "j11", "answers": "no-sound-on-press:n"}
    another_generation = {"generation": "j10", "answers": "doors-lock-unlock-ok:n"}
    for url, base in [(WIZARD, {}), (API, BASE)]:
        cold_cache()
        with django_assert_max_num_queries(3):
            assert client.get(url, {**base, **cold}).status_code == 200
        with django_assert_num_queries(0):
            assert client.get(url, {**base, **another_answer}).status_code == 200
        compiled_content._local.clear()  # only the shared cache holds the content now
        with django_assert_num_queries(0):
            assert client.get(url, {**base, **another_generation}).status_code == 200


def test_query_count_stays_constant_on_a_knowledge_base_100_times_larger(
    client, content, django_assert_max_num_queries
):
    from kb.models import FaultGroup, Problem, Procedure, Symptom

    problem = Problem.objects.get(slug="trunk-wont-open")
    group = FaultGroup.objects.get(slug="lock-malfunction")
    symptoms = Symptom.objects.bulk_create(
        Symptom(
            problem=problem,
            slug=f"synthetic-{i}",
            question=f"Q{i}?",
            statement=f"s{i}",
            p_yes_otherwise=0.2,
        )
        for i in range(150)
    )
    faults = Fault.objects.bulk_create(
        Fault(
            problem=problem,
            slug=f"synthetic-{i}",
            name=f"F{i}",
            summary="s",
            description="d",
            category="lock",
            group=group,
        )
        for i in range(1100)
    )
    Likelihood.objects.bulk_create(
        Likelihood(fault=f, symptom=symptoms[(i * 7 + k) % 150], p_yes=0.7)
        for i, f in enumerate(faults)
        for k in range(5)
    )
    procedure = Procedure.objects.filter(kind="repair").first()
    Fault.procedures.through.objects.bulk_create(
        Fault.procedures.through(fault_id=f.id, procedure_id=procedure.id) for f in faults
    )
    cold_cache()
    with django_assert_max_num_queries(3):
        response = client.get(WIZARD, {"generation": "j11", "answers": "no-sound-on-press:y"})
    assert response.status_code == 200
    assert len(outcome_of(response).causes) == 1111


def test_an_edit_changes_the_next_diagnosis_at_once(
    client, content, django_capture_on_commit_callbacks
):
    before = api(client, generation="j11", answers="water-near-lock:y").json()
    assert before["candidates"][0]["fault"] == "lock-contacts-oxidized"
    fault = Fault.objects.get(slug="lock-contacts-oxidized")
    fault.name = "Contacts in the lock corroded"
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on COMMIT
        fault.save()
        Likelihood.objects.filter(fault=fault, symptom__slug="water-near-lock").update(p_yes=0.01)
        fault.save()  # .update() sends no signal; the admin always saves, as here
    after = api(client, generation="j11", answers="water-near-lock:y").json()
    assert after["candidates"][0]["fault"] != "lock-contacts-oxidized"
    renamed = next(c for c in after["candidates"] if c["fault"] == "lock-contacts-oxidized")
    assert renamed["name"] == "Contacts in the lock corroded"


# --- nothing a client sends gives a 5xx ---------------------------------------------------

junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80)
answer_items = st.lists(
    st.tuples(
        st.sampled_from(["no-sound-on-press", "voltage-at-lock", "bogus", ""]) | junk,
        st.sampled_from(["y", "n", "u", "", "yes", "Y"]) | junk,
    ),
    max_size=12,
).map(lambda items: ",".join(f"{s}:{v}" if i % 5 else f"{s}{v}" for i, (s, v) in enumerate(items)))
params = st.fixed_dictionaries(
    {},
    optional={
        "model": st.sampled_from(["nissan-qashqai", "x", ""]) | junk,
        "problem": st.sampled_from(["trunk-wont-open", "trunk-opens-then-closes"]) | junk,
        "generation": st.sampled_from(["j10", "j11", "j11-facelift", "j12", "J12"]) | junk,
        "year": st.integers(-10, 3000).map(str) | junk,
        "answers": answer_items | junk,
    },
)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=params)
def test_random_queries_never_give_a_server_error(client, content, query):
    api_response = client.get(API, query)
    assert api_response.status_code in (200, 301, 400)
    if api_response.status_code == 400:
        assert api_response.json()["error"]["part"]
    if api_response.status_code == 301:  # another spelling of a valid state: its one URL
        assert client.get(api_response["Location"]).status_code == 200
    wizard_response = client.get(WIZARD, {k: v for k, v in query.items() if k != "problem"})
    assert wizard_response.status_code in (200, 301, 400, 404)
    if wizard_response.status_code == 301:
        assert client.get(wizard_response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ("no-sound-on-press:y,bogus:y", "вопрос, которого мы (больше) не задаём"),
        ("car-electrics-weak:x", "Ответ на вопрос «Были ли в последнее время признаки"),
        ("car-electrics-weak:y,car-electrics-weak:n", "На вопрос «Были ли в последнее время"),
        ("no-sound-on-press:y,motor-clicks-lid-stays:y", "два ответа на вопрос «Что происходит"),
    ],
)
def test_a_broken_link_is_explained_to_a_russian_owner_in_words(client, content, answers, words):
    page = client.get("/ru" + WIZARD, {"generation": "j11", "answers": answers}).content.decode()
    alert = page.split('role="alert"')[1].split("</div>")[0]
    assert words in alert.replace("\xa0", " ")  # the question's text has no-break spaces
    for token in answers.replace(":", ",").split(","):
        if len(token) > 1:  # a slug, or the bad value “x” quoted as a token
            assert token not in alert
    assert "Допустимо" not in alert
