"""Send it to the mechanic: the result's share link, its QR code and the one-page print view."""

import html
import re

import pytest
import segno
import zxingcpp

from diagnosis.templatetags.share import qr_svg
from kb.templatetags.kb_tags import money
from tests.usage_helpers import DIAGNOSE, MODEL, PROBLEM, decode_svg_image, walk
from usage import counters

pytestmark = pytest.mark.django_db

PRINT = f"/{MODEL}/{PROBLEM}/diagnose/print/"


def decode_matrix(url: str) -> str:
    """Render the code exactly as qr_svg builds it, module by module, and read it back."""
    code = segno.make(url, error="m", micro=False, mask=0)
    rows = list(code.matrix_iter(scale=4, border=4))
    pixels = bytes(0 if dark else 255 for row in rows for dark in row)
    image = memoryview(pixels).cast("B", (len(rows), len(rows[0])))
    (barcode,) = zxingcpp.read_barcodes(image)
    return barcode.text


def test_a_result_offers_its_absolute_link_a_qr_code_and_the_print_view(client, content):
    urls, _ = walk()
    page = client.get(urls[-1]).content.decode()
    link = f"http://testserver{html.unescape(urls[-1])}"
    assert 'id="share-heading"' in page
    shown = re.search(r'<p class="share-link"><a href="([^"]+)" rel="nofollow">([^<]+)</a>', page)
    assert html.unescape(shown.group(1)) == link
    # the link's text is short and in words, not a 3–4-line raw URL
    count = urls[-1].count(":")
    assert html.unescape(shown.group(2)) == f"Nissan Qashqai J11: Trunk won't open, {count} answers"
    assert f'href="{PRINT}?generation=j11&amp;answers=' in page
    image = re.search(r'<img class="qr-code" src="([^"]+)"[^>]*>', page)
    assert 'loading="lazy"' in image.group(
        0
    ) and 'alt="QR code of the link to this result"' in image.group(0)
    response = client.get(html.unescape(image.group(1)))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert "public" in response["Cache-Control"]
    assert decode_svg_image(response.content.decode()) == link


def test_a_step_draws_no_qr_code_itself(client, content, monkeypatch):
    """Drawing a code costs more than the rest of a step: only the image request draws one."""
    urls, _ = walk()
    monkeypatch.setattr("diagnosis.qr._code", lambda url: pytest.fail("a step drew a QR code"))
    assert client.get(urls[-1]).status_code == 200


def test_the_qr_image_encodes_the_canonical_state_not_the_raw_query(client, content):
    urls, _ = walk()
    state = html.unescape(urls[-1]).split("?", 1)[1]
    response = client.get(f"/{MODEL}/{PROBLEM}/diagnose/qr.svg?utm_source=x&{state}", follow=True)
    assert response.redirect_chain[0][1] == 301  # to the canonical state's image
    assert (
        decode_svg_image(response.content.decode()) == f"http://testserver{html.unescape(urls[-1])}"
    )


@pytest.mark.parametrize("query", ["", "?generation=j99", "?generation=j11&answers=nonsense:y"])
def test_a_qr_image_of_no_valid_state_is_not_found(client, content, query):
    assert client.get(f"/{MODEL}/{PROBLEM}/diagnose/qr.svg{query}").status_code == 404


def test_the_share_link_is_the_canonical_state_whatever_the_query_looked_like(client, content):
    urls, _ = walk()
    state = urls[-1].split("?", 1)[1]
    messy = f"{DIAGNOSE}?utm_source=x&{state}"
    page = html.unescape(client.get(messy, follow=True).content.decode())
    assert f"http://testserver{urls[-1]}" in page
    assert "utm_source" not in re.search(r'<section class="card share".*?</section>', page, re.S)[0]


def test_a_step_with_a_question_left_offers_no_share_card(client, content):
    urls, _ = walk()
    assert 'id="share-heading"' not in client.get(urls[0]).content.decode()


def test_the_qr_code_encodes_the_link_and_is_inline_svg_without_style_or_script():
    link = "https://example.org/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=a:n"
    svg = qr_svg(link)
    assert svg.startswith("<svg ") and 'role="img"' in svg and "aria-label=" in svg
    assert "style" not in svg and "<script" not in svg and "<?xml" not in svg
    assert decode_matrix(link) == link


# A result whose checks the article prices (replacing the lock): the walk's "no" to everything
# ends at the electronics, whose checks have no price, and would leave the costs unchecked.
LOCK_ACTUATOR = (
    "generation=j12&answers=no-sound-on-press:n,motor-clicks-lid-stays:y,"
    "handle-no-resistance:n,handle-stiff:n,dashboard-lock-error:y,lid-press-releases:n,"
    "freezing-temperature:n,voltage-at-lock:y,water-near-lock:n"
)


def test_the_print_view_has_the_answers_the_top_causes_their_checks_and_costs(client, content):
    urls, walked = walk()
    printed = []
    for query in [urls[-1].split("?", 1)[1], LOCK_ACTUATOR]:
        response = client.get(PRINT + "?" + query, follow=True)  # LOCK_ACTUATOR: answers sorted
        assert response.status_code == 200
        outcome = response.context["outcome"]
        if query in urls[-1]:  # the state the walk diagnosed itself
            assert outcome.answers == walked.answers and outcome.causes == walked.causes
        page = html.unescape(response.content.decode())
        assert outcome.done and outcome.answered and outcome.top_causes, query
        for item in outcome.answered:
            assert str(item["question"]) in page and str(item["label"]) in page
        for cause in outcome.top_causes:
            assert f"{cause.fault.short_name}\u00a0— " in page
            for procedure in cause.procedures:
                if procedure.kind != "emergency":
                    assert procedure.title in page
                    for cost in procedure.costs:
                        assert f"{cost.label}: {money(cost.low)}" in page  # 15,000
                    printed.append(procedure)
        assert '<meta name="robots" content="noindex">' in page
        assert "public" in response["Cache-Control"]
    # The loops check only what the content gives: make sure a priced check was among them.
    assert any(p.costs for p in printed), [p.slug for p in printed]


def test_the_print_view_is_not_counted_as_wizard_use(client, content):
    urls, _ = walk()
    client.get(PRINT + "?" + urls[-1].split("?", 1)[1])
    assert counters.pending() == {}


def test_the_print_view_without_a_generation_or_with_a_bad_link_goes_to_the_wizard(client, content):
    assert client.get(PRINT)["Location"] == DIAGNOSE
    bad = client.get(PRINT + "?generation=j11&answers=nope:y")
    assert bad.status_code == 302 and bad["Location"].startswith(DIAGNOSE + "?generation=j11")
