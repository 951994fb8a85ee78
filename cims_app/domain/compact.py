"""Compact containers for what a run keeps per row of a large import: a multimap of 64-bit hashes and a
packed list of short strings, a dozen bytes an entry where dicts, lists and str objects take 60-150."""

from array import array
from bisect import bisect_left
from heapq import merge as heapq_merge


class HashPositions:
	"""A multimap from 64-bit hashes to positions, kept as two parallel sorted arrays (12 bytes an entry)
	plus a dict of the entries added since the last merge (a dict of ints costs ~100 bytes an entry)."""

	MERGE_AT = 4096

	def __init__(self):
		self._hashes = array("q")
		self._positions = array("I")
		self._recent: dict[int, list[int]] = {}
		self._recent_count = 0

	def __len__(self) -> int:
		return len(self._hashes) + self._recent_count

	def add(self, value: int, position: int) -> None:
		self._recent.setdefault(value, []).append(position)
		self._recent_count += 1
		if self._recent_count >= max(self.MERGE_AT, len(self._hashes) // 16):
			self._merge()

	def get(self, value: int) -> list[int]:
		hashes = self._hashes
		found = []
		at = bisect_left(hashes, value)
		while at < len(hashes) and hashes[at] == value:
			found.append(self._positions[at])
			at += 1
		found.extend(self._recent.get(value, ()))
		return found

	def _merge(self) -> None:
		recent = sorted(
			(value, position) for value, positions in self._recent.items() for position in positions
		)
		hashes, positions = array("q"), array("I")
		for value, position in heapq_merge(zip(self._hashes, self._positions, strict=True), recent):
			hashes.append(value)
			positions.append(position)
		self._hashes, self._positions = hashes, positions
		self._recent, self._recent_count = {}, 0


class PackedStrings:
	"""Many short strings in one buffer (their UTF-8 bytes and an end offset each): ~4 bytes of overhead a
	string instead of a str object's 50-80."""

	def __init__(self):
		self._data = bytearray()
		self._ends = array("I")

	def __len__(self) -> int:
		return len(self._ends)

	def append(self, text: str) -> int:
		self._data += text.encode("utf-8")
		self._ends.append(len(self._data))
		return len(self._ends) - 1

	def __getitem__(self, index: int) -> str:
		start = self._ends[index - 1] if index else 0
		return self._data[start : self._ends[index]].decode("utf-8")
