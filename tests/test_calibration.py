"""How honest the shown percentages are (diagnosis/calibration.py): the reliability table and
the expected calibration error that bench/quality.py and the staff dashboard both print."""

import pytest

from diagnosis.calibration import bin_index, reliability


def test_nothing_to_measure_gives_no_table():
    assert reliability([]) is None


def test_each_probability_falls_in_its_band_of_ten_points_and_certainty_in_the_last():
    shown = (0.0, 0.099, 0.1, 0.35, 0.4, 0.8999, 0.9, 1.0)
    assert [bin_index(p) for p in shown] == [0, 0, 1, 3, 4, 8, 9, 9]


def test_a_hand_computed_table():
    """80–90 %: shown 0.85 right and 0.81 wrong; 30–40 %: 0.35 right, 0.37 wrong, 0.39 wrong."""
    table = reliability([(0.85, True), (0.81, False), (0.35, True), (0.37, False), (0.39, False)])
    low, high = table.bins  # only the bands with cases, lowest first
    assert (low.index, low.low, low.high, low.cases, low.hits) == (3, 0.3, 0.4, 3, 1)
    assert low.mean_shown == pytest.approx(0.37) and low.hit_rate == pytest.approx(1 / 3)
    assert (high.index, high.cases, high.hits) == (8, 2, 1)
    assert high.mean_shown == pytest.approx(0.83) and high.hit_rate == 0.5
    assert table.cases == 5
    # 3/5 · |1/3 − 0.37| + 2/5 · |0.5 − 0.83|
    assert table.ece == pytest.approx(0.6 * (0.37 - 1 / 3) + 0.4 * 0.33)
    assert table.bin(8) is high and table.bin(5) is None


def test_percentages_right_as_often_as_they_say_have_no_error():
    said_80 = [(0.8, True)] * 4 + [(0.8, False)]
    said_30 = [(0.3, True)] * 3 + [(0.3, False)] * 7
    assert reliability(said_80 + said_30).ece == pytest.approx(0)


def test_overconfidence_is_the_distance_between_shown_and_right():
    """Always 90 % shown, right half the time: forty points off."""
    assert reliability([(0.9, True), (0.9, False)]).ece == pytest.approx(0.4)
