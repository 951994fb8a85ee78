"""What completing a follow-up needs: real content of a minimum length and a next action."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cims_app.domain.errors import RuleViolation
from cims_app.domain.follow_up_rules import check_completion, is_vague

GOOD_CONTENT = "客户对报价表示认可，下周安排技术交流"


def test_completed_follow_up_with_content_and_next_action_passes():
	assert check_completion("Completed", GOOD_CONTENT, "发送技术方案") is None


@pytest.mark.parametrize("status", ["Planned", "Called Off", "", None])
def test_follow_up_that_is_not_completed_needs_nothing(status):
	assert check_completion(status, "", "") is None


@pytest.mark.parametrize("content", [None, "", "   ", "\u3000"])
def test_completed_follow_up_without_content_is_refused(content):
	with pytest.raises(RuleViolation) as caught:
		check_completion("Completed", content, "发送方案")
	assert str(caught.value) == "Content is required to complete a follow-up"
	assert caught.value.field == "content"


def test_completed_follow_up_with_short_content_is_refused_with_the_counts():
	with pytest.raises(RuleViolation) as caught:
		check_completion("Completed", "已沟通", "发送方案")
	assert str(caught.value) == (
		"Content of a completed follow-up needs at least 10 characters, it has 3: describe what was discussed"
	)
	assert caught.value.params == (10, 3)


def test_cjk_characters_count_one_each_and_exactly_the_minimum_passes():
	assert check_completion("Completed", "客户确认下周签合同啊", "准备合同") is None  # 10 characters
	with pytest.raises(RuleViolation):
		check_completion("Completed", "客户确认下周签合同", "准备合同")  # 9 characters


def test_content_length_is_counted_after_collapsing_whitespace():
	with pytest.raises(RuleViolation):
		check_completion("Completed", "  已 沟 通        ", "发送方案")


def test_minimum_content_length_is_configurable():
	assert check_completion("Completed", "已电话确认", "发送方案", min_content_length=5) is None
	with pytest.raises(RuleViolation):
		check_completion("Completed", GOOD_CONTENT, "发送方案", min_content_length=100)


@pytest.mark.parametrize(
	"content",
	[
		"。。。。。。。。。。。",
		"..........",
		"----------",
		"好好好好好好好好好好",
		"嗯嗯好嗯好好嗯嗯好嗯",
		"ok ok ok ok",
		"没问题没问题没问题没问题",
		"1111111111",
	],
)
def test_vague_content_is_refused(content):
	with pytest.raises(RuleViolation) as caught:
		check_completion("Completed", content, "发送方案")
	assert str(caught.value) == f'Content "{content}" is too vague: describe what was discussed and agreed'


@pytest.mark.parametrize("next_action", [None, "", "  "])
def test_completed_follow_up_without_next_action_is_refused(next_action):
	with pytest.raises(RuleViolation) as caught:
		check_completion("Completed", GOOD_CONTENT, next_action)
	assert str(caught.value) == "Next action is required to complete a follow-up"
	assert caught.value.field == "next_action"


def test_chinese_completed_status_is_checked_like_english():
	with pytest.raises(RuleViolation):
		check_completion("已完成", "", "")


@pytest.mark.parametrize(
	"content", [GOOD_CONTENT, "Discussed pricing, sending a quote Monday", "演示了CRM系统，客户关注报表功能"]
)
def test_specific_content_is_not_vague(content):
	assert not is_vague(content)


@given(st.text(alphabet="好的。,.!？ 嗯ok", min_size=1, max_size=3), st.integers(min_value=2, max_value=10))
def test_any_repeated_short_phrase_is_vague(phrase, times):
	assert is_vague(phrase * times)
