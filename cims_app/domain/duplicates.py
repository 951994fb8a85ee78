"""Duplicate customers (SPEC §6): the keys that make two records the same customer, and an index over them.

Same credit code, same exact name key (enterprises and institutions), same ID number or same mobile
means the same customer; the same or a similar match key (an abbreviation of a full name) only means
a possible duplicate that a person confirms before merging.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

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


class SimilarNameIndex:
	"""Match keys of many customers, answering "which known names may be the same as this one?".

	Two match keys can only be possibly the same when every character of the shorter one occurs in
	the longer (match_keys_possibly_same). So a key is filed under each of its characters, and under
	one "anchor" character, the rarest when it was added: a shorter known key is found through the
	anchor, which the new key must contain; a longer known key through the new key's rarest
	character. Candidates are then checked with match_keys_possibly_same.
	"""

	def __init__(self):
		self._keys: list[str] = []
		self._refs: list[Hashable] = []
		self._by_char: dict[str, list[int]] = defaultdict(list)
		self._by_anchor: dict[str, list[int]] = defaultdict(list)

	def __len__(self) -> int:
		return len(self._keys)

	def add(self, key: str, ref: Hashable) -> None:
		if len(key) < 2:
			return
		position = len(self._keys)
		self._keys.append(key)
		self._refs.append(ref)
		chars = set(key)
		anchor = min(chars, key=lambda char: (len(self._by_char.get(char, ())), char))
		self._by_anchor[anchor].append(position)
		for char in chars:
			self._by_char[char].append(position)

	def similar(self, key: str) -> list[Hashable]:
		"""Refs of known keys possibly the same as `key`, in the order they were added, each once."""
		if len(key) < 2:
			return []
		chars = set(key)
		rarest = min(chars, key=lambda char: len(self._by_char.get(char, ())))
		candidates = set(self._by_char.get(rarest, ()))
		for char in chars:
			candidates.update(self._by_anchor.get(char, ()))
		found = []
		seen = set()
		for position in sorted(candidates):
			ref = self._refs[position]
			if ref not in seen and match_keys_possibly_same(key, self._keys[position]):
				seen.add(ref)
				found.append(ref)
		return found


class CustomerIndex:
	"""Known customers (from the site and from earlier rows of a file) by their identifying keys."""

	def __init__(self):
		self._by_key: dict[tuple[str, str], Hashable] = {}
		self.names = SimilarNameIndex()

	def add(self, keys: CustomerKeys, ref: Hashable, similar: bool = True) -> None:
		"""File `ref` under its keys; a key already taken keeps its first owner."""
		for pair in keys.identifying():
			self._by_key.setdefault(pair, ref)
		if similar and keys.match_key:
			self.names.add(keys.match_key, ref)

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
