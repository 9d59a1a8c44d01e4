"""The answer codec on its own: generation or year, answers, length, each at its boundaries.

A hand-built CompiledProblem, no database: these are fast enough for `make mutation` to run
for every mutant of diagnosis/query.py.
"""

import datetime

import pytest

from diagnosis.content import CompiledProblem, GenerationInfo, SymptomInfo
from diagnosis.query import (
    MAX_QUERY_LENGTH,
    MAX_VALID_LIST,
    QueryError,
    encode_answers,
    parse,
    query_too_long,
)

NEXT_YEAR = datetime.date.today().year + 1


def compiled(generations=None, symptoms=("silent", "slack-handle", "frozen")) -> CompiledProblem:
    if generations is None:
        generations = (
            GenerationInfo("j10", "J10", 2007, 2013, False),
            GenerationInfo("j11", "J11", 2014, 2017, False),
            GenerationInfo("j12", "J12", 2022, None, False),
        )
    return CompiledProblem(
        model_slug="car",
        model_name="Test Car",
        problem_slug="boot",
        problem_title="Boot",
        problem_url="/car/boot/",
        diagnose_url="/car/boot/diagnose/",
        generations=tuple(generations),
        faults={},
        symptoms={slug: SymptomInfo(slug, f"{slug}?", "", slug, 1) for slug in symptoms},
        procedures={},
        emergency=None,
    )


CLOSED = (
    GenerationInfo("mk1", "Mk1", 2001, 2005, False),
    GenerationInfo("mk2", "Mk2", 2006, 2010, False),
)


def errors(query) -> list[tuple[str, str, tuple]]:
    return [(e.part, e.message, e.valid) for e in query.errors]


# --- generation and year ------------------------------------------------------------------


def test_generation_code_is_trimmed_and_case_insensitive():
    query = parse(compiled(), {"generation": "  J11 "})
    assert query.generation.code == "j11" and query.errors == []


def test_unknown_generation_names_the_valid_codes_and_is_cut_to_40_characters():
    query = parse(compiled(), {"generation": "x" * 50})
    assert query.generation is None
    assert errors(query) == [
        ("generation", f"Unknown generation “{'x' * 40}”.", ("j10", "j11", "j12"))
    ]


def test_a_generation_code_wins_over_a_year():
    assert parse(compiled(), {"generation": "j10", "year": "2016"}).generation.code == "j10"


def test_no_generation_and_no_year_is_no_generation_and_no_error():
    for params in ({}, {"year": "  "}, {"generation": " "}):
        query = parse(compiled(), params)
        assert query.generation is None and query.errors == [], params


@pytest.mark.parametrize(
    ("year", "code"),
    [("2007", "j10"), ("2013", "j10"), ("2014", "j11"), ("2017", "j11"), (" 2022 ", "j12")],
)
def test_a_year_maps_to_its_generation_at_both_ends(year, code):
    query = parse(compiled(), {"year": year})
    assert query.generation.code == code and query.errors == []


def test_an_open_ended_model_accepts_next_year_and_no_later():
    assert parse(compiled(), {"year": str(NEXT_YEAR)}).generation.code == "j12"
    query = parse(compiled(), {"year": str(NEXT_YEAR + 1)})
    assert query.generation is None
    assert errors(query) == [
        (
            "year",
            f"No Test Car generation covers {NEXT_YEAR + 1}: the model was made from 2007.",
            (f"2007–{NEXT_YEAR}",),
        )
    ]


def test_a_closed_model_accepts_its_last_year_and_no_later():
    assert parse(compiled(CLOSED), {"year": "2010"}).generation.code == "mk2"
    assert parse(compiled(CLOSED), {"year": "2001"}).generation.code == "mk1"
    for year in ("2011", "2000"):
        query = parse(compiled(CLOSED), {"year": year})
        assert query.generation is None
        assert errors(query) == [
            (
                "year",
                f"No Test Car generation covers {year}: the model was made from 2001.",
                ("2001–2010",),
            )
        ]


def test_a_year_in_a_gap_between_generations_is_refused():
    query = parse(compiled(), {"year": "2019"})
    assert query.generation is None and [e.part for e in query.errors] == ["year"]


@pytest.mark.parametrize("year", ["201", "02016", "２０１６", "2016.0", "-2016", "soon", "x" * 50])
def test_a_year_must_be_four_ascii_digits(year):
    query = parse(compiled(), {"year": year})
    assert query.generation is None
    assert errors(query) == [
        ("year", f"“{year.strip()[:40]}” is not a model year.", (f"2007–{NEXT_YEAR}",))
    ]


# --- answers ------------------------------------------------------------------------------


def test_answers_are_trimmed_lowercased_and_kept_in_order():
    query = parse(compiled(), {"answers": " Slack-Handle : N , silent:y,frozen:U"})
    assert query.answers == {"slack-handle": "n", "silent": "y", "frozen": "u"}
    assert list(query.answers) == ["slack-handle", "silent", "frozen"]
    assert query.errors == []


def test_empty_answer_items_are_skipped_not_the_end():
    query = parse(compiled(), {"answers": ",silent:y,, ,frozen:n,"})
    assert query.answers == {"silent": "y", "frozen": "n"}
    assert query.errors == []


def test_an_item_without_colon_or_symptom_is_an_error_and_the_rest_is_kept():
    query = parse(compiled(), {"answers": "silent,:y,frozen:n"})
    assert query.answers == {"frozen": "n"}
    message = "“{}” is not an answer: write symptom:y, symptom:n or symptom:u."
    assert errors(query) == [
        ("answers", message.format("silent"), ("y", "n", "u")),
        ("answers", message.format(":y"), ("y", "n", "u")),
    ]


def test_an_answer_is_split_at_its_first_colon():
    query = parse(compiled(), {"answers": "silent:y:n"})
    assert query.answers == {}
    assert errors(query) == [
        ("answers", "“y:n” is not an answer to “silent”: use y, n or u.", ("y", "n", "u"))
    ]


def test_a_long_bad_item_is_cut_to_60_characters_in_the_message():
    item = "s" * 70
    assert errors(parse(compiled(), {"answers": item}))[0][1].startswith(f"“{'s' * 60}”")
    unknown = errors(parse(compiled(), {"answers": f"{item}:y"}))[0]
    assert unknown[1] == f"Unknown symptom “{'s' * 60}”."


def test_an_unknown_symptom_lists_the_known_ones():
    query = parse(compiled(), {"answers": "bogus:y,silent:n"})
    assert query.answers == {"silent": "n"}
    assert errors(query) == [
        ("answers", "Unknown symptom “bogus”.", ("silent", "slack-handle", "frozen"))
    ]


def test_the_list_of_known_symptoms_stops_at_its_limit():
    many = [f"s{i:02d}" for i in range(MAX_VALID_LIST + 5)]
    query = parse(compiled(symptoms=many), {"answers": "bogus:y"})
    assert query.errors[0].valid == tuple(many[:MAX_VALID_LIST])
    assert len(query.errors[0].valid) == 40  # the limit itself, not read from the codec


def test_a_bad_value_names_the_symptom_and_is_cut_to_20_characters():
    query = parse(compiled(), {"answers": f"silent:{'m' * 30},frozen:y"})
    assert query.answers == {"frozen": "y"}
    assert errors(query) == [
        ("answers", f"“{'m' * 20}” is not an answer to “silent”: use y, n or u.", ("y", "n", "u"))
    ]


def test_a_second_answer_to_the_same_symptom_is_an_error_and_the_first_kept():
    query = parse(compiled(), {"answers": "silent:y,SILENT:n"})
    assert query.answers == {"silent": "y"}
    assert errors(query) == [
        ("answers", "“silent” is answered twice; the first answer is kept.", ())
    ]


def test_encoded_answers_parse_back_to_the_same_answers():
    answers = {"frozen": "u", "silent": "y", "slack-handle": "n"}
    assert encode_answers(answers) == "frozen:u,silent:y,slack-handle:n"
    assert parse(compiled(), {"answers": encode_answers(answers)}).answers == answers
    assert encode_answers({}) == ""


# --- length -------------------------------------------------------------------------------


def test_a_query_of_the_maximum_length_is_accepted_and_one_more_refused():
    assert query_too_long("a" * MAX_QUERY_LENGTH) is None
    assert query_too_long("") is None
    error = query_too_long("a" * (MAX_QUERY_LENGTH + 1))
    assert error == QueryError(
        "query",
        f"The query is too long ({MAX_QUERY_LENGTH + 1} characters; at most {MAX_QUERY_LENGTH}).",
    )
    assert MAX_QUERY_LENGTH == 2048  # the limit docs/design.md promises


def test_an_error_as_json_names_part_message_and_valid_values():
    error = QueryError("answers", "Bad.", ("y", "n"))
    assert error.as_dict() == {"part": "answers", "message": "Bad.", "valid": ["y", "n"]}
    assert QueryError("query", "Long.").as_dict()["valid"] == []


# --- exclusive groups ------------------------------------------------------------------------


def grouped() -> CompiledProblem:
    from diagnosis.content import GroupInfo

    base = compiled()
    symptoms = {
        "silent": SymptomInfo("silent", "silent?", "", "silent", 1, "press", "Silence"),
        "clicks": SymptomInfo("clicks", "clicks?", "", "clicks", 1, "press", "A click"),
        "frozen": SymptomInfo("frozen", "frozen?", "", "frozen", 1),
    }
    groups = {"press": GroupInfo("press", "What happens?", "", 1, "Neither", ("silent", "clicks"))}
    return CompiledProblem(
        **{**base.__dict__, "symptoms": symptoms, "groups": groups, "knowledge_bases": {}}
    )


def test_two_yes_answers_in_one_group_keep_the_first_and_name_both():
    query = parse(grouped(), {"answers": "silent:y,clicks:y,frozen:y"})
    assert query.answers == {"silent": "y", "frozen": "y"}
    assert query.errors == [
        QueryError(
            "answers",
            "“silent” and “clicks” cannot both be yes: they are answers to one question "
            "(“What happens?”). The first is kept.",
            ("silent", "clicks"),
            "This link gives two answers to «What happens?» («Silence» and «A click»): the "
            "first is kept.",
        )
    ]


def test_one_yes_and_the_other_members_no_is_one_answer():
    query = parse(grouped(), {"answers": "silent:n,clicks:y"})
    assert query.answers == {"silent": "n", "clicks": "y"}
    assert query.errors == []
    query = parse(grouped(), {"answers": "clicks:y,silent:n,frozen:y"})
    assert query.answers == {"clicks": "y", "silent": "n", "frozen": "y"}
    assert query.errors == []


def test_yes_to_symptoms_outside_groups_never_conflict():
    query = parse(grouped(), {"answers": "frozen:y,silent:u,clicks:y"})
    assert query.answers == {"frozen": "y", "silent": "u", "clicks": "y"}
    assert query.errors == []
