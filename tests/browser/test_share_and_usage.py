"""Send it to the mechanic, in real Chromium: the QR code on the result decodes to the result's
URL; the print view fits on one A4 page; and the usage dashboard as an editor sees it.
Screenshots go to screenshots/ (share-*, print-*, usage-dashboard-*)."""

import datetime as dt
import re
import struct
import zlib
from pathlib import Path

import pytest
import zxingcpp
from django.contrib.auth.models import Group, User

from usage.models import DailyCount

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
DIAGNOSE = "/nissan-qashqai/trunk-wont-open/diagnose/"
PASSWORD = "pw-for-browser-tests-9"


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def png_to_gray(data: bytes) -> memoryview:
    """A Playwright PNG (8-bit RGB or RGBA, not interlaced) as rows of grey bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = 3 if color == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                line[i] = (line[i] + predictor) & 255
        rows.append(bytes(line[0::channels]))  # the red channel: the code is black on white
        previous = line
    return memoryview(b"".join(rows)).cast("B", (height, width))


def finish(page, site, answer):
    page.goto(f"{site}{DIAGNOSE}")
    page.get_by_role("link", name=re.compile("J11")).first.click()
    page.wait_for_selector("ul.answers a.button-answer")
    for _ in range(20):
        buttons = page.locator("ul.answers a.button-answer")
        if buttons.count() == 0:
            return
        before = page.url
        (buttons.last if answer == "Don't know" else buttons.nth(buttons.count() - 2)).click()
        page.wait_for_function("u => location.href !== u", arg=before)
        page.wait_for_load_state("networkidle")
    raise AssertionError("no result after 20 answers")


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("answer", ["No", "Don't know"])
def test_on_a_phone_the_result_qr_code_encodes_the_result_url_and_prints_on_one_page(
    browser, live_site, answer
):
    # a phone's screen has 2 to 3 pixels per CSS pixel: the codes are read at 2
    context = browser.new_context(viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    finish(page, live_site, answer)
    qr = page.locator(".share .qr-code")
    qr.scroll_into_view_if_needed()
    # an image loaded lazily, once scrolled to: wait until Chromium has drawn it
    qr.evaluate("image => image.decode()")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    (code,) = zxingcpp.read_barcodes(png_to_gray(qr.screenshot()))
    assert code.text == page.url
    assert page.locator(".share-link a").get_attribute("href") == page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    suffix = "no" if answer == "No" else "dont-know"
    page.locator(".share").screenshot(path=SHOTS / f"share-card-phone-{suffix}.png")
    shot(page, f"share-result-phone-{suffix}")

    page.get_by_role("link", name=re.compile("Print view")).click()
    page.wait_for_load_state("load")
    assert "/diagnose/print/" in page.url
    shot(page, f"print-phone-{suffix}")
    assert pdf_pages(page.pdf(format="A4", print_background=False)) == 1
    printed = page.locator(".sheet-link .qr-code")
    printed.scroll_into_view_if_needed()
    (code,) = zxingcpp.read_barcodes(png_to_gray(printed.screenshot()))
    assert code.text.endswith(page.url.split("/diagnose/print/", 1)[1])


def test_the_result_and_print_view_on_a_desktop(browser, live_site):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    finish(page, live_site, "No")
    page.locator(".share .qr-code").scroll_into_view_if_needed()
    page.locator(".share .qr-code").evaluate("image => image.decode()")
    assert page.locator(".share .qr-code").is_visible()
    page.locator(".share").screenshot(path=SHOTS / "share-card-desktop.png")
    shot(page, "share-result-desktop")
    page.get_by_role("link", name=re.compile("Print view")).click()
    page.wait_for_load_state("load")
    shot(page, "print-desktop")
    page.emulate_media(media="print")
    shot(page, "print-desktop-as-printed")
    assert pdf_pages(page.pdf(format="A4")) == 1


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_content_editor_sees_the_usage_dashboard_with_charts(browser, live_site, viewport):
    today = dt.datetime.now(dt.UTC).date()
    common = {"day": today, "problem": "nissan-qashqai/trunk-wont-open"}
    for kind, generation, question, answer, fault, count in [
        ("start", "j11", "", "", "", 120),
        ("start", "j10", "", "", "", 40),
        ("shown", "j11", "car-electrics-weak", "", "", 120),
        ("answer", "j11", "car-electrics-weak", "y", "", 30),
        ("answer", "j11", "car-electrics-weak", "n", "", 60),
        ("answer", "j11", "car-electrics-weak", "u", "", 20),
        ("shown", "j11", "freezing-temperature", "", "", 60),
        ("answer", "j11", "freezing-temperature", "n", "", 25),
        ("answer", "j11", "freezing-temperature", "u", "", 20),
        ("result", "j11", "", "", "car-battery-discharged", 50),
        ("result", "j11", "", "", "lock-frozen", 20),
        ("result", "j10", "", "", "release-cable-broken", 25),
    ]:
        DailyCount.objects.create(
            kind=kind, generation=generation, question=question, answer=answer, fault=fault,
            count=count, **common,
        )  # fmt: skip
    user = User.objects.create_user("mechanic", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors, missing = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.goto(f"{live_site}/admin/login/?next=/admin/usage/")
    page.get_by_label("Username").fill("mechanic")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_site}/admin/usage/")
    assert page.locator("svg.chart").count() == 4
    assert page.locator("svg#chart-answers rect.seg-abandoned:not(.chart-key)").count() == 2
    assert page.locator("svg#chart-unknown rect.seg-flagged:not(.chart-key)").count() == 1
    assert missing == []  # the stylesheet and the admin's scripts load
    # (the browser's own request for /favicon.ico, which the admin does not name, may fail)
    assert not [e for e in errors if "Content Security Policy" in e]
    shot(page, f"usage-dashboard-{'phone' if viewport is PHONE else 'desktop'}")
