"""latex_number: how a number is written into a formula."""

from dlviz.formulas import latex_number


def test_a_number_keeps_three_significant_digits_and_a_negative_one_its_brackets():
    assert latex_number(0.12345) == "0.123"
    assert latex_number(-2.5) == "(-2.5)"
    assert latex_number(1234.0) == "1.23e+03"


def test_negative_zero_is_written_as_zero():
    assert latex_number(-0.0) == "0"
    assert latex_number(-0.5 * 0.0) == "0"
