"""RuleViolation carries a translatable template; the text helpers normalise width, spaces and brackets."""

import pytest

from cims_app.domain.errors import RuleViolation, _
from cims_app.domain.text import clean_text, to_half_width, unify_brackets


def test_translation_marker_returns_text_unchanged():
	assert _("Mobile number {0} is not valid") == "Mobile number {0} is not valid"


def test_rule_violation_keeps_template_params_and_field_and_formats_str():
	error = RuleViolation("Value {0} is wrong in {1}", ("x", "y"), field="mobile_no")
	assert error.message == "Value {0} is wrong in {1}"
	assert error.params == ("x", "y")
	assert error.field == "mobile_no"
	assert str(error) == "Value x is wrong in y"


def test_rule_violation_params_with_braces_are_not_reformatted():
	assert str(RuleViolation("Value {0} is wrong", ("{1}{x}",))) == "Value {1}{x} is wrong"


def test_rule_violation_is_a_value_error():
	with pytest.raises(ValueError):
		raise RuleViolation("Broken")


def test_to_half_width_converts_full_width_digits_letters_punctuation_and_ideographic_space():
	assert to_half_width("ＡＢＣ　１２３，（）＠") == "ABC 123,()@"


def test_to_half_width_of_none_is_empty():
	assert to_half_width(None) == ""


def test_clean_text_strips_and_collapses_whitespace_runs():
	assert clean_text("  北京\t\n某某　　科技  ") == "北京 某某 科技"


@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000"])
def test_clean_text_of_blank_is_empty(blank):
	assert clean_text(blank) == ""


def test_clean_text_of_number_is_its_text():
	assert clean_text(12) == "12"


def test_unify_brackets_maps_every_bracket_pair_to_parentheses():
	assert unify_brackets("某某（北京）【集团】[上海]〔深圳〕") == "某某(北京)(集团)(上海)(深圳)"
