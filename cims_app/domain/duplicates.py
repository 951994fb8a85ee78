"""Duplicate customers (SPEC §6): the keys that make two records the same customer, and an index over them.

Same credit code, same exact name key (enterprises and institutions), same ID number or same mobile
means the same customer; the same or a similar match key (an abbreviation of a full name) only means
a possible duplicate that a person confirms before merging.
"""

from array import array
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from cims_app.domain.compact import HashPositions, PackedStrings
from cims_app.domain.names import exact_key, match_key, match_keys_possibly_same

INDIVIDUAL = "Individual"

# Why two customers are the same, strongest first.
SAME_USCC = "unified_social_credit_code"
SAME_ID_NUMBER = "id_number"
SAME_NAME = "customer_name"
SAME_MOBILE = "mobile_no"
SAME_KEY_ORDER = (SAME_USCC, SAME_ID_NUMBER, SAME_NAME, SAME_MOBILE)


@dataclass(frozen=True)
class CustomerKeys:
	"""The identifying keys of one customer; blank keys are ""."""

	uscc: str = ""
	id_number: str = ""
	name_key: str = ""  # exact key, only for enterprises and institutions: two people may share a name
	mobile: str = ""
	match_key: str = ""

	def identifying(self) -> tuple[tuple[str, str], ...]:
		"""(reason, key) for each non-blank key that makes two customers the same, strongest first."""
		pairs = (
			(SAME_USCC, self.uscc),
			(SAME_ID_NUMBER, self.id_number),
			(SAME_NAME, self.name_key),
			(SAME_MOBILE, self.mobile),
		)
		return tuple((reason, key) for reason, key in pairs if key)


def customer_keys(values: Mapping) -> CustomerKeys:
	"""The keys of a customer given as a dict of already normalised values (customer_type, customer_name,
	unified_social_credit_code, id_number, mobile_no); an exact or match key given as name_exact_key /
	name_match_key is used as is.
	"""
	name = values.get("customer_name") or ""
	is_individual = values.get("customer_type") == INDIVIDUAL
	name_key = "" if is_individual else (values.get("name_exact_key") or exact_key(name))
	return CustomerKeys(
		uscc=values.get("unified_social_credit_code") or "",
		id_number=values.get("id_number") or "",
		name_key=name_key,
		mobile=values.get("mobile_no") or "",
		match_key=(values.get("name_match_key") or match_key(name)) if name else "",
	)


ABBREVIATION_MAX = 4  # an abbreviation found by the index has at most this many characters


def _positions() -> array:
	return array("I")


class SimilarNameIndex:
	"""Match keys of many customers, answering "which known names may be the same as this one?" fast.

	match_keys_possibly_same flags equal keys, a key contained in another (华为 in 华为技术) and an
	abbreviation whose characters appear in order in the longer key (中石油, 中国石油天然气). Comparing
	a key with every known one is quadratic, so candidates come from small indexes and are then checked
	with match_keys_possibly_same:
	- equal keys and containment of a shorter known key: the new key and each of its substrings are looked
	  up by hash;
	- containment in a longer known key: it holds the new key's rarest bigram (a bigram index);
	- abbreviations of up to ABBREVIATION_MAX characters that start with the full name's first
	  character (中石油, 北大, 华为), through an index of (first character, later character) pairs.
	Longer abbreviations, or ones starting elsewhere, are found only when they are also substrings.

	An import holds every customer of the site and of its file here, so the index is compact: keys and
	names packed in buffers, postings in arrays of 4-byte positions, about 100 bytes a name in all
	(str keys and names in lists, dicts and tuples took about 400).
	"""

	def __init__(self):
		self._keys = PackedStrings()
		# Each position's ref: an index into _names (a ref that is a str), or -1 with the ref in _other.
		self._ref_at = array("i")
		self._names = PackedStrings()
		self._other: dict[int, Hashable] = {}
		self._by_hash = HashPositions()
		self._by_bigram: dict[str, array] = defaultdict(_positions)
		self._short_by_pair: dict[str, array] = defaultdict(_positions)
		self._by_pair: dict[str, array] = defaultdict(_positions)

	def __len__(self) -> int:
		return len(self._keys)

	def add(self, key: str, ref: Hashable) -> None:
		if len(key) < 2:
			return
		position = self._keys.append(key)
		self._ref_at.append(-1)
		self._set_ref(position, ref)
		self._by_hash.add(hash(key), position)
		for bigram in {key[i : i + 2] for i in range(len(key) - 1)}:
			self._by_bigram[bigram].append(position)
		first = key[0]
		if len(key) <= ABBREVIATION_MAX:
			self._short_by_pair[key[:2]].append(position)
		if len(key) <= ABBREVIATION_MAX * 5 // 2:
			for char in set(key[1:]):
				self._by_pair[first + char].append(position)

	def _set_ref(self, position: int, ref: Hashable) -> None:
		if isinstance(ref, str):
			self._ref_at[position] = self._names.append(ref)
			self._other.pop(position, None)
		else:
			self._ref_at[position] = -1
			self._other[position] = ref

	def _ref(self, position: int) -> Hashable:
		at = self._ref_at[position]
		return self._names[at] if at >= 0 else self._other[position]

	def _candidates(self, key: str) -> set[int]:
		found: set[int] = set()
		# Known keys equal to the new key or contained in it: its substrings of 2 characters or more.
		for start in range(len(key) - 1):
			for end in range(start + 2, len(key) + 1):
				found.update(self._by_hash.get(hash(key[start:end])))
		# Known keys containing the new key: they hold its rarest bigram.
		bigrams = {key[i : i + 2] for i in range(len(key) - 1)}
		rarest = min(bigrams, key=lambda bigram: len(self._by_bigram.get(bigram, ())))
		found.update(self._by_bigram.get(rarest, ()))
		# Abbreviations: a short known key starting as the new one does, with a later character of it.
		first = key[0]
		for char in set(key[1:]):
			found.update(self._short_by_pair.get(first + char, ()))
		# The new key as an abbreviation of a longer known key.
		if len(key) <= ABBREVIATION_MAX:
			pairs = [self._by_pair.get(first + char, ()) for char in set(key[1:])]
			if pairs:
				found.update(min(pairs, key=len))
		return found

	def rebind(self, key: str, old: Hashable, new: Hashable) -> None:
		"""Let the entries of `key` filed under `old` point at `new`."""
		for position in self._by_hash.get(hash(key)):
			if self._ref_at[position] < 0 and self._other[position] is old and self._keys[position] == key:
				self._set_ref(position, new)

	def similar(self, key: str) -> list[Hashable]:
		"""Refs of known keys possibly the same as `key`, in the order they were added, each once."""
		if len(key) < 2:
			return []
		found = []
		seen = set()
		for position in sorted(self._candidates(key)):
			if not match_keys_possibly_same(key, self._keys[position]):
				continue
			ref = self._ref(position)
			if ref not in seen:
				seen.add(ref)
				found.append(ref)
		return found


class CustomerIndex:
	"""Known customers (from the site and from earlier rows of a file) by their identifying keys."""

	def __init__(self, names: SimilarNameIndex | None = None):
		self._by_key: dict[tuple[str, str], Hashable] = {}
		# The possible-duplicate index may outlive this one (an import keeps one over the whole run and a
		# CustomerIndex of exact keys per chunk).
		self.names = names if names is not None else SimilarNameIndex()

	def add(self, keys: CustomerKeys, ref: Hashable, similar: bool = True) -> None:
		"""File `ref` under its keys; a key already taken keeps its first owner."""
		for pair in keys.identifying():
			self._by_key.setdefault(pair, ref)
		if similar and keys.match_key:
			self.names.add(keys.match_key, ref)

	def rebind(self, keys: CustomerKeys, old: Hashable, new: Hashable) -> None:
		"""File under `new` what `keys` filed under `old`: an import files a row of the file until it has
		its record, then the record's name, so that it need not keep the row."""
		for pair in keys.identifying():
			if self._by_key.get(pair) is old:
				self._by_key[pair] = new
		if keys.match_key:
			self.names.rebind(keys.match_key, old, new)

	def owner(self, reason: str, key: str) -> Hashable | None:
		"""Whoever the key is filed under, if anyone."""
		return self._by_key.get((reason, key))

	def add_key(self, reason: str, key: str, ref: Hashable) -> None:
		if key:
			self._by_key.setdefault((reason, key), ref)

	def same(self, keys: CustomerKeys) -> list[tuple[str, Hashable]]:
		"""(reason, ref) for every known customer sharing an identifying key, strongest reason first,
		one entry per distinct ref."""
		found: list[tuple[str, Hashable]] = []
		refs = set()
		for pair in keys.identifying():
			ref = self._by_key.get(pair)
			if ref is not None and ref not in refs:
				refs.add(ref)
				found.append((pair[0], ref))
		return found

	def similar(self, keys: CustomerKeys, exclude: Iterable[Hashable] = ()) -> list[Hashable]:
		"""Refs of known customers whose names are possibly the same, except those in `exclude`."""
		if not keys.match_key:
			return []
		excluded = set(exclude)
		return [ref for ref in self.names.similar(keys.match_key) if ref not in excluded]
