"""Learning counts what staff confirmed (issue 19): a burst of owner reports from one network
moves no prior and retires no cached page; rate limits count an IPv6 /64 as one client and
only what they accept; a staff review is what moves the priors."""

import pytest
from django.test import Client

from kb.content_version import content_version
from reports.models import OwnerReport
from tests.test_learning import learning
from tests.test_reports_web import REPORT, RESULT, form_data, token_of

pytestmark = pytest.mark.django_db

API = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j10"
ATTACK = "trunk-fuse-blown"  # 0.56 % on a J10; fifty counted reports made it first


def probabilities(client) -> dict[str, float]:
    return {c["fault"]: c["probability"] for c in client.get(API).json()["candidates"]}


def send(address: str, token: str, **changes):
    return Client(REMOTE_ADDR=address).post(REPORT, form_data(token, **changes))


@pytest.fixture
def token(content):
    return token_of(Client(REMOTE_ADDR="192.0.2.1").get(RESULT).content.decode())


def test_a_burst_of_unreviewed_reports_moves_no_prior_and_retires_no_cached_page(
    token, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_RATE_LIMIT = 1000  # as if they came from many networks
    settings.LOCAL_PAGE_ENTRIES = 0  # a rendered page is shared at once
    with django_capture_on_commit_callbacks(execute=True):
        learning(enabled=True, strength=50)
    api = Client()
    before = probabilities(api)
    version = content_version()
    assert Client(REMOTE_ADDR="192.0.2.2").get(RESULT).templates  # rendered, and stored

    with django_capture_on_commit_callbacks(execute=True):
        statuses = {
            send(f"2001:db8:1:2::{n:x}", token, generation="j10", fault=ATTACK).status_code
            for n in range(1, 51)
        }
    assert statuses == {303}
    assert OwnerReport.objects.filter(fault__slug=ATTACK).count() == 50

    assert probabilities(api) == before  # not a digit moved
    assert content_version() == version  # nothing was retired
    assert not Client(REMOTE_ADDR="192.0.2.3").get(RESULT).templates  # still from the cache


def test_a_second_address_of_the_same_ipv6_64_shares_the_first_ones_budget(token, settings):
    settings.REPORT_RATE_LIMIT = 5
    assert [send("2001:db8:1:2::1", token).status_code for _ in range(5)] == [303] * 5
    sixth = send("2001:db8:1:2::beef", token)  # another address, the same /64
    assert sixth.status_code == 429
    assert send("2001:db8:1:3::1", token).status_code == 303  # another /64 is not held back
    assert send("198.51.100.9", token).status_code == 303  # IPv4 still counts per address
    assert OwnerReport.objects.count() == 7


def test_search_counts_an_ipv6_64_as_one_client(content, settings):
    settings.SEARCH_RATE_LIMIT = 2
    settings.SEARCH_RATE_WINDOW = 3600  # a fixed window: no boundary within the test
    assert Client(REMOTE_ADDR="2001:db8:5:6::1").get("/search/?q=trunk").status_code == 200
    assert Client(REMOTE_ADDR="2001:db8:5:6::2").get("/search/?q=trunk").status_code == 200
    assert Client(REMOTE_ADDR="2001:db8:5:6::3").get("/search/?q=trunk").status_code == 429
    assert Client(REMOTE_ADDR="2001:db8:5:7::1").get("/search/?q=trunk").status_code == 200


def test_a_rejected_post_does_not_use_up_the_senders_budget(token, settings):
    settings.REPORT_RATE_LIMIT = 2
    address = "203.0.113.50"
    assert send(address, "forged-token").status_code == 403
    assert send(address, token, fault="other", other_text="").status_code == 400
    assert send(address, token, answers="not:an:answer:list").status_code == 400
    assert [send(address, token).status_code for _ in range(3)] == [303, 303, 429]


def test_verifying_a_report_is_what_moves_the_prior(
    token, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        learning(enabled=True, strength=50)
    api = Client()
    before = probabilities(api)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(1, 11):
            send(f"198.51.100.{n}", token, generation="j10", fault=ATTACK)
    assert probabilities(api) == before  # unreviewed: nothing moves

    selected = list(OwnerReport.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/reports/ownerreport/",
            {"action": "mark_verified", "_selected_action": selected},
        )
    assert response.status_code == 302
    after = probabilities(api)
    assert after[ATTACK] > before[ATTACK]  # ten verified reports, weight 2: twenty's worth
