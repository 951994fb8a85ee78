"""The importer's shared strings go to temporary files in blocks and come back by position."""

import random

import pytest

reader = pytest.importorskip(
	"cims_app.imports.reader", reason="the importer needs lxml (the bench env has it)"
)


def sample_strings(count: int) -> list[str]:
	rng = random.Random(7)
	alphabet = "abc华为技术有限公司 ÄÖ🙂"
	return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(count)]


@pytest.mark.parametrize("block", [1, 40, 1 << 18])
def test_every_string_comes_back_from_disk_or_the_open_block(monkeypatch, block):
	monkeypatch.setattr(reader.SharedStrings, "BLOCK", block)
	monkeypatch.setattr(reader.SharedStrings, "CACHE", 16)
	expected = sample_strings(3000)
	shared = reader.SharedStrings()
	for position, text in enumerate(expected):
		shared.append(text)
		# a row asks for the string just read, and now and then for an older one
		assert shared[position] == text
		if position % 7 == 0:
			older = position // 2
			assert shared[older] == expected[older]
	assert len(shared) == len(expected)
	order = list(range(len(expected)))
	random.Random(3).shuffle(order)
	assert [shared[position] for position in order] == [expected[position] for position in order]
	shared.close()


def test_strings_are_not_kept_in_memory(monkeypatch):
	monkeypatch.setattr(reader.SharedStrings, "BLOCK", 1024)
	shared = reader.SharedStrings()
	for number in range(20000):
		shared.append(f"客户{number:06d}")
	# written out block by block: what stays in memory is less than one block and its offsets
	assert len(shared._block) < 1024
	assert len(shared._block_ends) < 1024
	assert shared[0] == "客户000000" and shared[19999] == "客户019999" and shared[12345] == "客户012345"
	shared.close()
