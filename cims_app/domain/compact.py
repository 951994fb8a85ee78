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


class BitSet:
	"""A set of strings in a fixed array of bits (a Bloom filter): `value in bits` is never False for a value
	added, and True for a value never added about once in a thousand lookups with 2.5 million values in the
	default 8 MB. For values that must stay unique (a generator drawing names, codes, mobiles) a false True
	only means drawing another value; the memory stays the same whatever the number of values, where a set
	of str takes about 100 bytes a value (500 MB for the 5 million keys of a 1,000,000-customer demo)."""

	HASHES = 3

	def __init__(self, bits: int = 1 << 26):
		if bits & (bits - 1):
			raise ValueError("bits must be a power of two")
		self._mask = bits - 1
		self._bits = bytearray(bits >> 3)
		self._count = 0

	def _positions(self, value: str) -> list[int]:
		first = hash(value)
		second = hash((value, 1)) | 1
		return [(first + number * second) & self._mask for number in range(self.HASHES)]

	def add(self, value: str) -> None:
		bits = self._bits
		for position in self._positions(value):
			bits[position >> 3] |= 1 << (position & 7)
		self._count += 1

	def update(self, values) -> None:
		for value in values:
			self.add(value)

	def __contains__(self, value: str) -> bool:
		bits = self._bits
		return all(bits[position >> 3] & (1 << (position & 7)) for position in self._positions(value))

	def __len__(self) -> int:
		"""Values added (a value added twice counts twice)."""
		return self._count

	@property
	def nbytes(self) -> int:
		return len(self._bits)
