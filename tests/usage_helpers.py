"""Shared by the usage and share tests: walking a diagnosis to its result."""

import re

import zxingcpp

from diagnosis import content
from diagnosis.service import diagnose

MODEL, PROBLEM = "nissan-qashqai", "trunk-wont-open"
DIAGNOSE = f"/{MODEL}/{PROBLEM}/diagnose/"


def compiled():
    return content.compiled_problem(MODEL, PROBLEM)


def walk(generation="j11", pick=lambda options: options[-2]):
    """The wizard URLs from the first question to the result, answering with `pick` (by
    default the option before "don't know": "no", or a group's "none of these")."""
    problem = compiled()
    info = problem.generations_by_code[generation]
    answers: dict[str, str] = {}
    urls = [f"{DIAGNOSE}?generation={generation}"]
    outcome = diagnose(problem, info, answers)
    while outcome.next_question is not None:
        option = pick(outcome.next_question.options)
        urls.append(option.url)
        answers.update(dict(option.answers))
        outcome = diagnose(problem, info, answers)
    return urls, outcome


def decode_svg_image(svg: str) -> str:
    """Draw a served SVG's path (segno's moves and horizontal strokes, one module each) into
    pixels and read the code back: what the owner's phone scans, not a second encoding."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    dark = [[False] * size for _ in range(size)]
    x = y = 0.0
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                dark[int(y)][column] = True
            x += float(a)
    scale = 4
    rows = [[cell for cell in row for _ in range(scale)] for row in dark for _ in range(scale)]
    pixels = bytes(0 if cell else 255 for row in rows for cell in row)
    (barcode,) = zxingcpp.read_barcodes(memoryview(pixels).cast("B", (len(rows), len(rows[0]))))
    return barcode.text
