"""“3× more likely” in Russian: «в 2, 3, 4 раза», «в 5–20 раз», «в 21 раз», «в 22 раза», and a
decimal «в 1,5 раза» (issue 21, item 3's sentence, in the admin's language)."""

import pytest
from django.utils import translation

from kb.likelihood_context import change_in_words, factor

MORE = [
    (2, "делает её вероятнее в 2 раза"),
    (3, "делает её вероятнее в 3 раза"),
    (4, "делает её вероятнее в 4 раза"),
    (5, "делает её вероятнее в 5 раз"),
    (11, "делает её вероятнее в 11 раз"),
    (12, "делает её вероятнее в 12 раз"),
    (14, "делает её вероятнее в 14 раз"),
    (20, "делает её вероятнее в 20 раз"),
    (21, "делает её вероятнее в 21 раз"),
    (22, "делает её вероятнее в 22 раза"),
    (25, "делает её вероятнее в 25 раз"),
    (1.5, "делает её вероятнее в 1,5 раза"),
    (6.3, "делает её вероятнее в 6,3 раза"),
    (2.04, "делает её вероятнее в 2 раза"),  # shown rounded: whole
    (21.4, "делает её вероятнее в 21 раз"),
]


@pytest.mark.parametrize(("value", "expected"), MORE)
def test_more_likely_in_russian(value, expected):
    with translation.override("ru"):
        assert change_in_words(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1 / 3, "делает её в 3 раза менее вероятной"),
        (1 / 5, "делает её в 5 раз менее вероятной"),
        (1 / 21, "делает её в 21 раз менее вероятной"),
        (1 / 1.5, "делает её в 1,5 раза менее вероятной"),
    ],
)
def test_less_likely_in_russian(value, expected):
    with translation.override("ru"):
        assert change_in_words(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, "makes it 3× more likely"),
        (21, "makes it 21× more likely"),
        (1.5, "makes it 1.5× more likely"),
        (1 / 5, "makes it 5× less likely"),
        (1.02, "hardly changes it"),
    ],
)
def test_in_english(value, expected):
    with translation.override("en"):
        assert change_in_words(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(20, "20"), (30.2, "30"), (100, "100"), (2.0, "2"), (0.5, "0.5")]
)
def test_a_factor_keeps_the_zeros_of_a_whole_number(value, expected):
    with translation.override("en"):
        assert factor(value) == expected
