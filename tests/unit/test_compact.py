"""The compact containers a large import keeps its per-row state in, against plain dicts and lists."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cims_app.domain.compact import HashPositions, PackedStrings
from cims_app.domain.duplicates import SimilarNameIndex
from cims_app.domain.names import match_keys_possibly_same

VALUES = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@settings(max_examples=60)
@given(st.lists(st.one_of(VALUES, st.integers(-3, 3)), max_size=60), st.integers(1, 5))
def test_hash_positions_answers_as_a_dict_of_lists_across_merges(values, merge_at):
	original = HashPositions.MERGE_AT
	HashPositions.MERGE_AT = merge_at
	try:
		index, expected = HashPositions(), {}
		for position, value in enumerate(values):
			index.add(value, position)
			expected.setdefault(value, []).append(position)
			# every answer so far, before and after merges
			assert sorted(index.get(value)) == expected[value]
		assert len(index) == len(values)
		for value, positions in expected.items():
			assert sorted(index.get(value)) == positions
		# a hash nobody added (the extremes of the range first: the bisection's edges)
		absent = next(value for value in (2**63 - 1, -(2**63), *range(-64, 64)) if value not in expected)
		assert index.get(absent) == []
	finally:
		HashPositions.MERGE_AT = original


def test_hash_positions_merges_into_sorted_arrays():
	index = HashPositions()
	for position in range(HashPositions.MERGE_AT + 10):
		index.add(position % 97, position)
	assert len(index._hashes) == HashPositions.MERGE_AT  # merged once, the last 10 still recent
	assert list(index._hashes) == sorted(index._hashes)
	assert sorted(index.get(5)) == list(range(5, HashPositions.MERGE_AT + 10, 97))


@given(st.lists(st.text(max_size=12), max_size=40))
def test_packed_strings_give_back_every_string(texts):
	packed = PackedStrings()
	assert [packed.append(text) for text in texts] == list(range(len(texts)))
	assert [packed[index] for index in range(len(texts))] == texts
	assert len(packed) == len(texts)


NAME_CHARS = st.sampled_from(list("华为技术中国石油天然气北京大学科信ab"))
KEYS = st.text(NAME_CHARS, min_size=2, max_size=8)


@settings(max_examples=40)
@given(st.lists(KEYS, min_size=1, max_size=40), st.lists(KEYS, min_size=1, max_size=5))
def test_similar_name_index_across_merges_finds_what_a_small_one_finds(known, queries):
	"""The index with its hash map merged every 2 additions answers exactly as one that never merges."""
	original = HashPositions.MERGE_AT
	try:
		HashPositions.MERGE_AT = 10**9
		plain = SimilarNameIndex()
		for position, key in enumerate(known):
			plain.add(key, f"C-{position}")
		HashPositions.MERGE_AT = 2
		merged = SimilarNameIndex()
		for position, key in enumerate(known):
			merged.add(key, f"C-{position}")
	finally:
		HashPositions.MERGE_AT = original
	for query in queries:
		found = merged.similar(query)
		assert found == plain.similar(query)
		for ref in found:
			assert match_keys_possibly_same(query, known[int(ref[2:])])
		for position, key in enumerate(known):
			if key == query:
				assert f"C-{position}" in found


def test_similar_name_index_keeps_names_packed_and_rows_until_rebound():
	index = SimilarNameIndex()
	row = object()
	index.add("华为技术", "C-1")
	index.add("华为", row)
	assert index.similar("华为技术") == ["C-1", row]
	assert index._other == {1: row}
	index.rebind("华为", row, "C-2")
	assert index.similar("华为技术") == ["C-1", "C-2"]
	assert index._other == {}
	index.rebind("华为", row, "C-3")  # nothing is filed under the row any more
	assert index.similar("华为技术") == ["C-1", "C-2"]


@settings(max_examples=60)
@given(
	st.lists(st.text(alphabet="上海华为技科信息有限公司北京深圳", min_size=0, max_size=12), max_size=40),
	st.lists(st.text(alphabet="上海华为技科信息有限公司北京深圳", min_size=2, max_size=12), max_size=40),
	st.booleans(),
)
def test_match_key_sketch_never_denies_a_key_or_a_start_it_was_given(keys, asked, in_order):
	"""The sketch of the site's match keys (a large import asks the database only about what it lets through):
	never False for an added key or for a shorter start of one, whatever the order keys come in; and with
	bitmaps far larger than the keys, False for most of what was never added."""
	from cims_app.domain.duplicates import MatchKeySketch

	sketch = MatchKeySketch()
	for key in sorted(keys) if in_order else keys:
		sketch.add(key)
	kept = [key for key in keys if len(key) >= 2]
	for key in kept:
		assert sketch.may_be_key(key)
		for end in range(2, len(key)):
			assert sketch.may_extend(key[:end])
	starts = {key[:end] for key in kept for end in range(2, len(key))}
	never = [key for key in asked if key not in kept and key not in starts]
	wrong = sum(sketch.may_be_key(key) or sketch.may_extend(key) for key in never)
	assert wrong <= max(1, len(never) // 10)


_SKETCH_IN_A_PROCESS = """
import hashlib, sys
from cims_app.domain.duplicates import MatchKeySketch
sketch = MatchKeySketch(1 << 12, 1 << 13)
for key in ("上海华为技术", "北京信息科技", "华为", "深圳电子"):
	sketch.add(key)
print(hashlib.sha256(sketch.to_bytes()).hexdigest())
"""


def test_a_sketch_made_in_one_process_serves_another():
	"""The daily job's sketch is read by imports in other processes, whose str hash() differs
	(PYTHONHASHSEED): the bitmaps are the same bytes in every process and come back whole from to_bytes."""
	import os
	import subprocess
	import sys
	from pathlib import Path

	from cims_app.domain.duplicates import MatchKeySketch

	root = Path(__file__).resolve().parents[2]
	digests = {
		subprocess.run(
			[sys.executable, "-c", _SKETCH_IN_A_PROCESS],
			env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
			capture_output=True,
			text=True,
			check=True,
		).stdout.strip()
		for seed in ("1", "2", "3")
	}
	assert len(digests) == 1
	sketch = MatchKeySketch(1 << 12, 1 << 13)
	sketch.add("上海华为技术")
	again = MatchKeySketch.from_bytes(sketch.to_bytes())
	assert again.to_bytes() == sketch.to_bytes() and again.count == 1
	assert again.may_be_key("上海华为技术") and again.may_extend("上海华为")
	assert MatchKeySketch.from_bytes(b"2 512 1024 1\n" + bytes(1536)) is None  # another format
	assert MatchKeySketch.from_bytes(b"1 512 1024 1\n" + bytes(100)) is None  # cut short
	assert MatchKeySketch.from_bytes(b"1 500 1024 1\n" + bytes(1524)) is None  # not a power of two
	assert MatchKeySketch.from_bytes(b"junk") is None
