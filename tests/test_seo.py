"""SEO: sitemap, robots.txt, canonical links, Open Graph, FAQPage and HowTo JSON-LD."""

import re
from xml.etree import ElementTree

import pytest
from django.core.cache import cache

from kb import sitemaps
from kb.content_version import forget_local_version
from kb.models import FaqEntry, Fault, Generation, Make, Problem, Procedure, VehicleModel
from kb.structured_data import estimated_cost, iso_duration, to_json

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SEED_FAQ = [
    "What should I do if the trunk won't open because the battery is dead?",
    "Can the trunk be opened through the fuel filler door?",
    "How much does it cost to replace the trunk lock on a Nissan Qashqai?",
    "Why does the trunk open but immediately slam shut?",
    "How do I reset the trunk lock error on the dashboard?",
]


def sitemap_sections(client) -> list[str]:
    """The paths (with ?p=) of the sections the index at /sitemap.xml lists."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{{{SITEMAP_NS['s']}}}sitemapindex"
    locations = [loc.text for loc in root.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert all(loc.startswith("http://testserver/") for loc in locations)
    return [loc.removeprefix("http://testserver") for loc in locations]


def sitemap_urls(client) -> list[ElementTree.Element]:
    """Every <url> of every section the index lists, in its order."""
    urls = []
    for path in sitemap_sections(client):
        response = client.get(path)
        assert response.status_code == 200, path
        urls += ElementTree.fromstring(response.content).findall("s:url", SITEMAP_NS)
    return urls


def sitemap_text(client) -> str:
    """Every section's XML, one after the other: to look for a URL in it, or its absence."""
    return "".join(client.get(path).content.decode() for path in sitemap_sections(client))


def sitemap_paths(client):
    locations = [url.find("s:loc", SITEMAP_NS).text for url in sitemap_urls(client)]
    assert all(loc.startswith("http://testserver/") for loc in locations)
    return [loc.removeprefix("http://testserver") for loc in locations]


def test_sitemap_lists_every_public_page(client, content):
    paths = sitemap_paths(client)
    assert len(paths) == len(set(paths))
    expected = {"/", "/nissan-qashqai/", "/nissan-qashqai/faq/"}
    expected |= {g.get_absolute_url() for g in Generation.objects.all()}
    expected |= {p.get_absolute_url() for p in Problem.objects.all()}
    expected |= {f.get_absolute_url() for f in Fault.objects.all()}
    expected |= {p.get_absolute_url() for p in Procedure.objects.all()}
    expected |= {f"/ru{path}" for path in expected}  # each page in Russian too
    assert set(paths) == expected
    assert "/nissan-qashqai/trunk-wont-open/faults/handle-broken/" in paths
    assert "/ru/nissan-qashqai/trunk-wont-open/faults/handle-broken/" in paths
    assert "/nissan-qashqai/generations/j11-facelift/" in paths
    assert len(paths) >= 2 * (3 + 4 + 2 + 14 + 12)


def test_every_sitemap_url_answers_200_with_title_description_canonical(
    client, content, parse_page
):
    for path in sitemap_paths(client):
        response = client.get(path)
        assert response.status_code == 200, path
        page = parse_page(response)
        assert page.title, path
        assert page.meta.get("description"), path
        assert page.links["canonical"] == f"http://testserver{path}", path
        assert page.meta["og:url"] == page.links["canonical"]
        assert "robots" not in page.meta, path  # nothing in the sitemap is noindex


def test_titles_and_descriptions_are_unique_across_the_sitemap(client, content, parse_page):
    titles, descriptions = {}, {}
    for path in sitemap_paths(client):
        page = parse_page(client.get(path))
        titles.setdefault(page.title, []).append(path)
        descriptions.setdefault(page.meta["description"], []).append(path)
    assert [paths for paths in titles.values() if len(paths) > 1] == []
    assert [paths for paths in descriptions.values() if len(paths) > 1] == []


# What search engines take in one sitemap file (sitemaps.org).
MOST_URLS, MOST_BYTES = 50_000, 50 * 1024 * 1024
MODEL_SECTION = "/sitemaps/models/nissan-qashqai.xml"


def test_sitemap_xml_is_an_index_of_the_site_section_and_one_section_per_model(
    client, content, django_capture_on_commit_callbacks
):
    assert sitemap_sections(client) == ["/sitemaps/site.xml", MODEL_SECTION]
    with django_capture_on_commit_callbacks(execute=True):
        make = Make.objects.create(slug="skoda", name="Skoda")
        VehicleModel.objects.create(make=make, slug="skoda-octavia", name="Octavia")
    assert sitemap_sections(client)[-1] == "/sitemaps/models/skoda-octavia.xml"
    assert client.get("/sitemaps/models/skoda-octavia.xml").status_code == 200
    assert client.get("/sitemaps/models/no-such-model.xml").status_code == 404


def test_each_section_is_a_urlset_of_locations_within_the_search_engines_limits(client, content):
    for path in sitemap_sections(client):
        response = client.get(path)
        assert response["Content-Type"] == "application/xml", path
        assert len(response.content) <= MOST_BYTES, path
        root = ElementTree.fromstring(response.content)  # well-formed, or this raises
        assert root.tag == f"{{{SITEMAP_NS['s']}}}urlset", path
        urls = root.findall("s:url", SITEMAP_NS)
        assert 0 < len(urls) <= min(MOST_URLS, sitemaps.SECTION_URLS), path
        locations = [url.find("s:loc", SITEMAP_NS).text for url in urls]
        assert all(loc.startswith("http://testserver/") for loc in locations), path
    assert sitemaps.SECTION_URLS <= MOST_URLS


def test_a_section_longer_than_a_page_is_paged_and_the_index_lists_every_page(
    client, content, monkeypatch
):
    everything = sorted(sitemap_paths(client))
    monkeypatch.setattr(sitemaps, "SECTION_URLS", 10)
    cache.clear()  # the index and sections were stored with the larger pages,
    forget_local_version()  # under versions this process keeps for a second
    model_pages = [path for path in sitemap_sections(client) if path.startswith(MODEL_SECTION)]
    expected_pages = -(-(len(everything) - 2) // 10)  # all but the home page, in 2 languages
    assert model_pages == [MODEL_SECTION] + [
        f"{MODEL_SECTION}?p={number}" for number in range(2, expected_pages + 1)
    ]
    for path in model_pages:
        urls = ElementTree.fromstring(client.get(path).content).findall("s:url", SITEMAP_NS)
        assert 0 < len(urls) <= 10, path
    assert sorted(sitemap_paths(client)) == everything  # the same pages, in smaller files
    assert client.get(f"{MODEL_SECTION}?p={expected_pages + 1}").status_code == 404


def test_robots_txt_points_to_the_sitemap(client, content):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /" not in lines


def test_canonical_drops_the_query_string(client, content, parse_page):
    page = parse_page(client.get("/nissan-qashqai/?utm_source=x"))
    assert page.links["canonical"] == "http://testserver/nissan-qashqai/"


def test_search_pages_are_not_indexed(client, content, parse_page):
    assert parse_page(client.get("/search/?q=fuse")).meta["robots"].startswith("noindex")


def test_faq_page_holds_the_five_seed_questions_in_faqpage_json_ld(client, content, parse_page):
    response = client.get("/nissan-qashqai/faq/")
    page = parse_page(response)
    faq = [data for data in page.json_ld if data["@type"] == "FAQPage"]
    assert len(faq) == 1
    data = faq[0]
    assert data["@context"] == "https://schema.org"
    questions = [item["name"] for item in data["mainEntity"]]
    assert questions == SEED_FAQ
    for item in data["mainEntity"]:
        assert item["@type"] == "Question"
        assert item["acceptedAnswer"]["@type"] == "Answer"
        assert len(item["acceptedAnswer"]["text"]) > 40
    entry = data["mainEntity"][2]["acceptedAnswer"]["text"]
    assert "15,000" in entry and "25,000" in entry
    # Each question is on the page too, with an anchor the FAQ entry's URL points to.
    html = response.content.decode()
    for entry in FaqEntry.objects.all():
        assert f'id="{entry.slug}"' in html
        assert entry.get_absolute_url() == f"/nissan-qashqai/faq/#{entry.slug}"


@pytest.mark.parametrize("slug", ["replace-electromagnetic-lock", "lubricate-and-maintain-lock"])
def test_procedure_page_holds_valid_howto_json_ld(client, content, parse_page, slug):
    procedure = Procedure.objects.get(slug=slug)
    response = client.get(procedure.get_absolute_url())
    page = parse_page(response)
    how_to = [data for data in page.json_ld if data["@type"] == "HowTo"]
    assert len(how_to) == 1
    data = how_to[0]
    assert data["@context"] == "https://schema.org"
    assert data["name"] == procedure.title
    assert data["description"] == procedure.summary
    assert re.fullmatch(r"PT(\d+H)?(\d+M)?", data["totalTime"]) and data["totalTime"] != "PT"
    steps = list(procedure.steps.order_by("number"))
    assert [step["position"] for step in data["step"]] == [s.number for s in steps]
    assert [step["name"] for step in data["step"]] == [s.title for s in steps]
    for step in data["step"]:
        assert step["@type"] == "HowToStep"
        assert step["text"]
        assert step["url"].startswith(page.links["canonical"] + "#step-")
    assert [tool["name"] for tool in data["tool"]] == procedure.tool_list()
    assert all(tool["@type"] == "HowToTool" for tool in data["tool"])


def test_every_procedure_page_has_a_howto_with_steps_and_tools(client, content, parse_page):
    for procedure in Procedure.objects.all():
        page = parse_page(client.get(procedure.get_absolute_url()))
        (data,) = [d for d in page.json_ld if d["@type"] == "HowTo"]
        assert len(data["step"]) == procedure.steps.count() >= 1
        assert len(data["tool"]) == len(procedure.tool_list())
        breadcrumbs = [d for d in page.json_ld if d["@type"] == "BreadcrumbList"]
        assert breadcrumbs and breadcrumbs[0]["itemListElement"][0]["item"] == "http://testserver/"


def test_howto_estimated_cost_is_a_monetary_amount(client, content, parse_page):
    page = parse_page(client.get("/nissan-qashqai/procedures/replace-electromagnetic-lock/"))
    (data,) = [d for d in page.json_ld if d["@type"] == "HowTo"]
    assert data["estimatedCost"] == {
        "@type": "MonetaryAmount",
        "currency": "RUB",
        "minValue": 5000,
        "maxValue": 30000,
    }
    assert data["totalTime"] == "PT2H"
    page = parse_page(client.get("/nissan-qashqai/procedures/lubricate-and-maintain-lock/"))
    (data,) = [d for d in page.json_ld if d["@type"] == "HowTo"]
    assert "estimatedCost" not in data


def test_estimated_cost_of_labour_only():
    procedure = Procedure(currency="EUR", labour_min=50, labour_max=80)
    assert estimated_cost(procedure) == {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "minValue": 50,
        "maxValue": 80,
    }


@pytest.mark.parametrize(
    ("minutes", "expected"), [(0, "PT0M"), (10, "PT10M"), (60, "PT1H"), (90, "PT1H30M")]
)
def test_iso_duration(minutes, expected):
    assert iso_duration(minutes) == expected


def test_json_ld_cannot_break_out_of_its_script(client, content, parse_page):
    entry = FaqEntry.objects.first()
    entry.answer = 'Evil </script><script>alert("x")</script> & <!-- more'
    entry.save()
    response = client.get("/nissan-qashqai/faq/")
    html = response.content.decode()
    assert '</script><script>alert("x")' not in html
    assert "\\u003C/script\\u003E" in html
    page = parse_page(response)
    (faq,) = [d for d in page.json_ld if d["@type"] == "FAQPage"]
    assert faq["mainEntity"][0]["acceptedAnswer"]["text"] == entry.answer
    assert to_json({"a": "<&>"}) == '{"a": "\\u003C\\u0026\\u003E"}'


def test_open_graph_type_is_article_on_content_pages(client, content, parse_page):
    assert parse_page(client.get("/")).meta["og:type"] == "website"
    problem = Problem.objects.get(slug="trunk-wont-open").get_absolute_url()
    assert parse_page(client.get(problem)).meta["og:type"] == "article"


def test_every_model_with_faq_is_in_the_sitemap_and_others_are_not(client, content):
    from kb.models import Make

    VehicleModel.objects.create(make=Make.objects.first(), slug="juke", name="Juke")
    paths = sitemap_paths(client)
    assert "/juke/" in paths
    assert "/juke/faq/" not in paths
