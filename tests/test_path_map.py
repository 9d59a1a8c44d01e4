"""A map of every path (issue 21, item 5): staff see the wizard's whole decision tree for a
problem and generation, with its reachable states, the results without a clear cause and the
questions never asked; the tree is the one the public API plays."""

import re
import time

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from diagnosis import content
from diagnosis.pathmap import CLEAR_CAUSE, walk
from tests.test_html_valid import checker, checker_errors, render

pytestmark = pytest.mark.django_db

MODEL, PROBLEM = "nissan-qashqai", "trunk-wont-open"
MAP_J11 = f"/admin/map/{MODEL}/{PROBLEM}/j11/"


def j11_map():
    compiled = content.compiled_problem(MODEL, PROBLEM)
    return walk(compiled, compiled.generations_by_code["j11"])


def api_states(client, generation: str) -> int:
    """Every state the public API leads to from no answer, following each option's tokens of
    each next question: answers kept in their canonical order (sorted by symptom slug), so
    every request is one the API serves without a redirect."""
    seen, stack = set(), [{}]
    while stack:
        answers = stack.pop()
        key = frozenset(answers.items())
        if key in seen:
            continue
        seen.add(key)
        query = f"model={MODEL}&problem={PROBLEM}&generation={generation}"
        if answers:
            query += "&answers=" + ",".join(f"{s}:{v}" for s, v in sorted(answers.items()))
        response = client.get(f"/api/v1/diagnose?{query}")
        assert response.status_code == 200, query
        data = response.json()
        assert data["links"]["self"] == f"/api/v1/diagnose?{query}"
        question = data["next_question"]
        for option in question["options"] if question else ():
            added = dict(token.split(":") for token in option["answers"].split(","))
            stack.append({**answers, **added})
    return len(seen)


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="pw-for-tests-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    return user


def test_the_j11_map_has_as_many_states_as_a_walk_of_the_public_api(client):
    started = time.perf_counter()
    through_api = api_states(client, "j11")
    print(f"API walk of J11: {through_api} states in {time.perf_counter() - started:.1f} s")
    walked = j11_map()
    assert walked.states == through_api
    assert len({node.answers for node in walked.nodes}) == walked.states  # each state once


def test_every_state_is_a_question_with_one_branch_per_option_or_a_result():
    walked = j11_map()
    for node in walked.nodes:
        if node.is_leaf:
            assert not node.children and node.top_cause
        else:
            # yes / no / don't know, or a group's members, "none of these" and "don't know"
            assert len(node.children) >= 3
            assert all(walked.nodes[c].parent == node.index for c in node.children)
            assert all(walked.nodes[c].depth == node.depth + 1 for c in node.children)
    unclear = walked.unclear_leaves
    assert unclear and all(leaf.probability < CLEAR_CAUSE for leaf in unclear)
    longest = walked.longest_paths()[0]
    assert len(longest) - 1 == walked.depth and longest[0].index == 0 and longest[-1].is_leaf


def test_the_map_page_lists_the_state_count_and_the_results_without_a_clear_cause(client, editor):
    walked = j11_map()
    page = client.get(MAP_J11)
    assert page.status_code == 200
    html = page.content.decode()
    states = re.search(r'class="pm-states">([\d\s,\xa0]+)<', html).group(1)
    assert int(re.sub(r"\D", "", states)) == walked.states
    unclear = re.search(r'class="pm-unclear-count">([\d\s,\xa0]+)<', html).group(1)
    assert int(re.sub(r"\D", "", unclear)) == len(walked.unclear_leaves)
    assert html.count('class="pm-leaf pm-unclear"') == len(walked.unclear_leaves)
    assert html.count("no clear cause</span>") == len(walked.unclear_leaves)
    assert html.count('class="pm-leaf') == len(walked.leaves)
    start = walked.nodes[0]
    assert f"({start.results} results, {start.unclear} without a clear cause)" in html
    for slug, _text in walked.never_asked:
        assert slug in html
    print(f"map page of J11: {len(page.content):,} bytes")


def test_the_map_is_linked_from_the_admin_index_to_each_generation(client, editor):
    index = client.get("/admin/").content.decode()
    assert f'href="{reverse("admin-path-map-index")}"' in index
    maps = client.get(reverse("admin-path-map-index")).content.decode()
    assert f'href="{MAP_J11}"' in maps


def test_owners_traffic_is_shown_per_question(client, editor):
    from usage.models import DailyCount
    from usage.stats import default_period

    day = default_period()[1]
    first = j11_map().nodes[0].question
    for kind, answer, count in (("shown", "", 40), ("answer", "y", 25), ("answer", "u", 7)):
        DailyCount.objects.create(
            day=day,
            kind=kind,
            problem=f"{MODEL}/{PROBLEM}",
            generation="j11",
            question=first,
            answer=answer,
            count=count,
        )
    html = client.get(MAP_J11).content.decode()
    assert "owners: shown 40, yes 25, no 0, don’t know 7" in html


def test_anonymous_users_are_sent_to_the_login_and_an_unknown_generation_is_404(client, editor):
    client.logout()
    for url in (MAP_J11, reverse("admin-path-map-index")):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(editor)
    assert client.get(f"/admin/map/{MODEL}/{PROBLEM}/no-such/").status_code == 404


def test_staff_without_the_content_rights_may_not_see_it(client):
    user = User.objects.create_user("helper", password="pw-for-tests-123", is_staff=True)
    client.force_login(user)
    assert client.get(MAP_J11).status_code == 403


def test_the_russian_admin_shows_the_map_in_russian(client, editor):
    client.cookies["django_language"] = "ru"
    html = client.get(MAP_J11, headers={"accept-language": "ru"}).content.decode()
    assert "Карта всех путей" in html
    assert "нет явной причины" in html


def test_the_map_pages_are_valid_html(client, editor, tmp_path):
    checker()  # skips (or fails under REQUIRE_VNU=1) without the checker
    pages = {
        tmp_path / "index.html": render(client, reverse("admin-path-map-index")),
        tmp_path / "map.html": render(client, MAP_J11),
    }
    for file, body in pages.items():
        file.write_bytes(body)
    errors = checker_errors(pages)
    assert errors == [], "\n".join(errors)


def test_the_map_is_walked_once_per_content_version(monkeypatch):
    from diagnosis import pathmap
    from kb.content_version import bump_content_version

    compiled = content.compiled_problem(MODEL, PROBLEM)
    j11 = compiled.generations_by_code["j11"]
    walks = []
    monkeypatch.setattr(pathmap, "walk", lambda *args: walks.append(args) or j11_map())
    first = pathmap.path_map(compiled, j11)
    assert pathmap.path_map(compiled, j11).states == first.states and len(walks) == 1
    bump_content_version()  # what every saved edit does (kb/signals.py)
    pathmap.path_map(compiled, j11)
    assert len(walks) == 2


def test_each_question_counts_the_results_below_it_and_those_without_a_clear_cause():
    walked = j11_map()
    start = walked.nodes[0]
    assert start.results == len(walked.leaves) and start.unclear == len(walked.unclear_leaves)
    for node in walked.nodes:
        if not node.is_leaf:
            assert node.results == sum(walked.nodes[c].results for c in node.children)
            assert node.unclear == sum(walked.nodes[c].unclear for c in node.children)
