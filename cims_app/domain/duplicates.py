"""Duplicate customers (SPEC §6): when two records are the same customer, and an index over their keys.

The rule, in one place (`verdict`, `compare`, `resolve`), used by the importer (rows of the file and
customers of the site) and by the customer form:

- Same credit code (USCC) or same ID number: the same customer.
- Same exact name key (enterprises and institutions): the same customer, unless an identifier tells the
  two apart, i.e. both have a credit code or ID number and they share none; then the name is *taken* by
  another customer (refused: the exact name is unique, but nothing is merged into that other customer).
- Same mobile or e-mail: the same customer only when no identifier tells the two apart; otherwise a
  possible duplicate (one person is often the contact or legal representative of several companies).
- Same or similar match key (an abbreviation of a full name): a possible duplicate, never the same.

A possible duplicate is listed for a person to confirm before merging; it is never merged or refused.
"""

from array import array
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from cims_app.domain.compact import HashPositions, PackedStrings
from cims_app.domain.names import exact_key, match_key, match_keys_possibly_same

INDIVIDUAL = "Individual"

# The key two records share, strongest first.
SAME_USCC = "unified_social_credit_code"
SAME_ID_NUMBER = "id_number"
SAME_NAME = "customer_name"
SAME_MOBILE = "mobile_no"
SAME_EMAIL = "email_id"
SIMILAR_NAME = "name_match_key"
SAME_KEY_ORDER = (SAME_USCC, SAME_ID_NUMBER, SAME_NAME, SAME_MOBILE, SAME_EMAIL)
# Keys that identify a customer on their own: unique on the site (enforced by the database).
EXACT_KEYS = (SAME_USCC, SAME_ID_NUMBER, SAME_NAME)
# Keys of the customer's contact: the same customer only when no identifier tells the two apart.
CONTACT_KEYS = (SAME_MOBILE, SAME_EMAIL)

# What a shared key makes of two records.
SAME = "same"  # the same customer
TAKEN = "taken"  # the exact name of another customer (told apart by its identifiers)
POSSIBLE = "possible"  # a possible duplicate, for a person to confirm
DIFFERENT = "different"


@dataclass(frozen=True)
class CustomerKeys:
	"""The identifying keys of one customer; blank keys are ""."""

	uscc: str = ""
	id_number: str = ""
	name_key: str = ""  # exact key, only for enterprises and institutions: two people may share a name
	mobile: str = ""
	match_key: str = ""
	email: str = ""

	def identifying(self) -> tuple[tuple[str, str], ...]:
		"""(reason, key) for each non-blank key that may make two customers the same, strongest first."""
		pairs = (
			(SAME_USCC, self.uscc),
			(SAME_ID_NUMBER, self.id_number),
			(SAME_NAME, self.name_key),
			(SAME_MOBILE, self.mobile),
			(SAME_EMAIL, self.email),
		)
		return tuple((reason, key) for reason, key in pairs if key)

	def identifiers(self) -> frozenset[tuple[str, str]]:
		"""The customer's credit code and ID number (what tells two customers apart)."""
		return frozenset(
			pair for pair in ((SAME_USCC, self.uscc), (SAME_ID_NUMBER, self.id_number)) if pair[1]
		)

	def filled_from(self, other: "CustomerKeys") -> "CustomerKeys":
		"""These keys with the blank ones taken from `other` (a row merged into a customer)."""
		return replace(
			self,
			**{
				name: getattr(other, name)
				for name in ("uscc", "id_number", "name_key", "mobile", "match_key", "email")
				if not getattr(self, name)
			},
		)


def customer_keys(values: Mapping) -> CustomerKeys:
	"""The keys of a customer given as a dict of already normalised values (customer_type, customer_name,
	unified_social_credit_code, id_number, mobile_no, email_id); an exact or match key given as
	name_exact_key / name_match_key is used as is.
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
		email=values.get("email_id") or "",
	)


def unique_name_key(customer_type: object, exact: object) -> str | None:
	"""The value of the unique name column: the exact key of an enterprise's or institution's name, None
	(no constraint) for individuals and blank names."""
	if customer_type == INDIVIDUAL or not exact:
		return None
	return str(exact)


def told_apart(a: CustomerKeys, b: CustomerKeys) -> bool:
	"""Whether an identifier tells the two apart: both have a credit code or ID number and they share none."""
	first, second = a.identifiers(), b.identifiers()
	return bool(first and second and not first & second)


def verdict(reason: str, a: CustomerKeys, b: CustomerKeys) -> str:
	"""What two customers sharing the key `reason` are: SAME, TAKEN (same name, different companies) or
	POSSIBLE."""
	if reason in (SAME_USCC, SAME_ID_NUMBER):
		return SAME
	apart = told_apart(a, b)
	if reason == SAME_NAME:
		return TAKEN if apart else SAME
	if reason in CONTACT_KEYS:
		return POSSIBLE if apart else SAME
	return POSSIBLE


def shared_keys(a: CustomerKeys, b: CustomerKeys) -> list[str]:
	"""The keys the two share, strongest first (a similar name last)."""
	found = [reason for reason, key in a.identifying() if key == dict(b.identifying()).get(reason)]
	if not found and a.match_key and b.match_key and match_keys_possibly_same(a.match_key, b.match_key):
		found.append(SIMILAR_NAME)
	return found


def compare(a: CustomerKeys, b: CustomerKeys) -> tuple[str, str]:
	"""(verdict, reason) for two customers: the strongest verdict any shared key gives (SAME, TAKEN,
	POSSIBLE), with that key; (DIFFERENT, "") when they share nothing."""
	best = (DIFFERENT, "")
	rank = {SAME: 3, TAKEN: 2, POSSIBLE: 1, DIFFERENT: 0}
	for reason in shared_keys(a, b):
		found = verdict(reason, a, b)
		if rank[found] > rank[best[0]]:
			best = (found, reason)
	return best


@dataclass
class Resolution:
	"""What the known customers sharing a key with a new record make of it: each list holds
	(ref, reason) once per ref, in the order the refs were found."""

	same: list[tuple[Hashable, str]] = field(default_factory=list)
	taken: list[tuple[Hashable, str]] = field(default_factory=list)
	possible: list[tuple[Hashable, str]] = field(default_factory=list)

	def targets(self) -> list[Hashable]:
		return [ref for ref, _reason in self.same]


def resolve(keys: CustomerKeys, candidates: Iterable[tuple[Hashable, str, CustomerKeys]]) -> Resolution:
	"""Sort the candidates (ref, shared key, the ref's keys) of a new record `keys` into the customer it
	is (`same`), customers whose exact name it would take (`taken`) and possible duplicates.

	A credit code, ID number or name match decides the customer; a mobile or e-mail match decides it
	only when nothing stronger does, and is otherwise a possible duplicate of a customer that may be a
	duplicate itself. Each ref appears once, under its strongest verdict.
	"""
	found: dict[Hashable, tuple[str, str]] = {}  # ref -> (verdict, reason), in the candidates' order
	for ref, reason, other in candidates:
		if ref not in found:
			found[ref] = (verdict(reason, keys, other), reason)
	exact = any(kind == SAME and reason in EXACT_KEYS for kind, reason in found.values())
	result = Resolution()
	for ref, (kind, reason) in found.items():
		if kind == SAME and (reason in EXACT_KEYS or not exact):
			result.same.append((ref, reason))
		elif kind == TAKEN:
			result.taken.append((ref, reason))
		else:
			result.possible.append((ref, reason))
	return result


ABBREVIATION_MAX = 4  # an abbreviation found by the index has at most this many characters
# Bounds per name looked up, so that its cost does not grow with the site when names are alike (thousands of
# 上海…科技 share their bigrams): at most this many known keys are checked, the earliest added first, and at
# most SIMILAR_FOUND possible duplicates are returned (a person checks a short list, not hundreds).
SIMILAR_CHECKED = 2000
SIMILAR_FOUND = 10
_HASH_BITS = 1 << 23


# FNV-1a over a key's characters (code points), 64 bits: the same for a text in every process, so that a
# sketch made by one (the daily job) serves another (an import); Python's own hash() of a str changes with
# each process. One pass gives the hash of every start of the key.
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_FNV_BITS = (1 << 64) - 1


def _folded(value: int) -> int:
	"""An FNV-1a state folded onto its low bits, the sketch's hash."""
	return value ^ (value >> 29)


def _start_hashes(key: str) -> list[int]:
	"""The hash of key[:1], key[:2], … key."""
	hashes = []
	value = _FNV_OFFSET
	for character in key:
		value = ((value ^ ord(character)) * _FNV_PRIME) & _FNV_BITS
		hashes.append(_folded(value))
	return hashes


def _key_hash(key: str) -> int:
	"""The hash of the whole key (the last of _start_hashes)."""
	hashes = _start_hashes(key)
	return hashes[-1] if hashes else _folded(_FNV_OFFSET)


class MatchKeySketch:
	"""Which match keys a site's customers have, and which keys are the start of a longer one of theirs, in
	two bitmaps of one bit per hash: `may_be_key` and `may_extend` are never False for a key (or start of a
	key) added, and wrongly True for a few per cent of the others. A large import into a site asks the
	database only about the candidates the sketch lets through (equal keys, prefixes of a row's key, keys
	starting with it) instead of thousands of index lookups a chunk that find nothing; the bitmaps take the
	same 6 MB whatever the site holds. The hash is the same in every process (`to_bytes` / `from_bytes`
	carry a sketch from one to another)."""

	FORMAT = 1

	def __init__(self, key_bits: int = 1 << 24, start_bits: int = 1 << 25):
		self._key_mask, self._start_mask = key_bits - 1, start_bits - 1
		self._keys = bytearray(key_bits >> 3)
		self._starts = bytearray(start_bits >> 3)
		self.count = 0

	def add(self, key: str) -> None:
		"""Add a site key and its starts of 2 characters or more."""
		if len(key) < 2:
			return
		self.count += 1
		hashes = _start_hashes(key)
		value = hashes[-1] & self._key_mask
		self._keys[value >> 3] |= 1 << (value & 7)
		starts, mask = self._starts, self._start_mask
		for start in hashes[1:-1]:
			value = start & mask
			starts[value >> 3] |= 1 << (value & 7)

	def may_be_key(self, key: str) -> bool:
		value = _key_hash(key) & self._key_mask
		return bool(self._keys[value >> 3] & (1 << (value & 7)))

	def may_extend(self, key: str) -> bool:
		"""Whether a site key may start with `key` and be longer."""
		value = _key_hash(key) & self._start_mask
		return bool(self._starts[value >> 3] & (1 << (value & 7)))

	def to_bytes(self) -> bytes:
		head = b"%d %d %d %d\n" % (self.FORMAT, len(self._keys), len(self._starts), self.count)
		return head + bytes(self._keys) + bytes(self._starts)

	@classmethod
	def from_bytes(cls, data: bytes) -> "MatchKeySketch | None":
		"""The sketch `to_bytes` gave, or None for bytes of another format or size."""
		head, _, body = data.partition(b"\n")
		try:
			version, key_bytes, start_bytes, count = map(int, head.split())
		except ValueError:
			return None
		if version != cls.FORMAT or len(body) != key_bytes + start_bytes or key_bytes < 1 or start_bytes < 1:
			return None
		sketch = cls(key_bytes << 3, start_bytes << 3)
		if (key_bytes << 3) & sketch._key_mask or (start_bytes << 3) & sketch._start_mask:
			return None  # not powers of two
		sketch._keys[:] = body[:key_bytes]
		sketch._starts[:] = body[key_bytes:]
		sketch.count = count
		return sketch


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
		# A bit per hash of the known keys (8 million bits, 1 MB): most substrings of a new key are no known
		# key, and this says so without a search of _by_hash (4 million searches for 100,000 rows).
		self._known_hashes = bytearray(_HASH_BITS >> 3)
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
		bit = hash(key) & (_HASH_BITS - 1)
		self._known_hashes[bit >> 3] |= 1 << (bit & 7)
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
		"""Positions of known keys that may be possibly the same as `key`; each posting list contributes its
		first SIMILAR_CHECKED positions at most (a bigram or character pair thousands of alike names share)."""
		found: set[int] = set()
		cap = SIMILAR_CHECKED
		# Known keys equal to the new key or contained in it: its substrings of 2 characters or more.
		known, mask = self._known_hashes, _HASH_BITS - 1
		for start in range(len(key) - 1):
			for end in range(start + 2, len(key) + 1):
				value = hash(key[start:end])
				bit = value & mask
				if known[bit >> 3] & (1 << (bit & 7)):
					found.update(self._by_hash.get(value)[:cap])
		# Known keys containing the new key: they hold every bigram of it, so its two rarest ones (alike names,
		# 上海…科技 by the thousand, share each of their bigrams with many others, but few share two).
		by_bigram = self._by_bigram
		bigrams = sorted(
			{key[i : i + 2] for i in range(len(key) - 1)}, key=lambda bigram: len(by_bigram.get(bigram, ()))
		)
		rarest = by_bigram.get(bigrams[0], ())
		if len(bigrams) > 1 and len(rarest) > 8:
			found.update(sorted(set(rarest[:cap]).intersection(by_bigram.get(bigrams[1], ()))))
		else:
			found.update(rarest[:cap])
		# Abbreviations: a short known key starting as the new one does, with a later character of it.
		first = key[0]
		for char in set(key[1:]):
			found.update(self._short_by_pair.get(first + char, ())[:cap])
		# The new key as an abbreviation of a longer known key.
		if len(key) <= ABBREVIATION_MAX:
			pairs = [self._by_pair.get(first + char, ()) for char in set(key[1:])]
			if pairs:
				found.update(min(pairs, key=len)[:cap])
		return found

	def rebind(self, key: str, old: Hashable, new: Hashable) -> None:
		"""Let the entries of `key` filed under `old` point at `new`."""
		for position in self._by_hash.get(hash(key)):
			if self._ref_at[position] < 0 and self._other[position] is old and self._keys[position] == key:
				self._set_ref(position, new)

	def similar(self, key: str) -> list[Hashable]:
		"""Refs of known keys possibly the same as `key`, those with an equal key first, each group in the order
		they were added, each ref once, SIMILAR_FOUND at most."""
		if len(key) < 2:
			return []
		found = []
		seen = set()
		# Equal keys first, then the others, each in the order added; the earliest SIMILAR_CHECKED only.
		equal = {position for position in self._by_hash.get(hash(key)) if self._keys[position] == key}
		others = sorted(self._candidates(key) - equal)[: max(0, SIMILAR_CHECKED - len(equal))]
		for position in [*sorted(equal), *others]:
			if not match_keys_possibly_same(key, self._keys[position]):
				continue
			ref = self._ref(position)
			if ref not in seen:
				seen.add(ref)
				found.append(ref)
				if len(found) == SIMILAR_FOUND:
					break
		return found


class CustomerIndex:
	"""Known customers (from the site and from earlier rows of a file) by their identifying keys."""

	def __init__(self, names: SimilarNameIndex | None = None):
		# Every owner of each key, in the order they were filed: a mobile may belong to several companies.
		self._by_key: dict[tuple[str, str], list[Hashable]] = {}
		self._keys: dict[Hashable, CustomerKeys] = {}
		# The possible-duplicate index may outlive this one (an import keeps one over the whole run and a
		# CustomerIndex of exact keys per chunk).
		self.names = names if names is not None else SimilarNameIndex()

	def add(self, keys: CustomerKeys, ref: Hashable, similar: bool = True) -> None:
		"""File `ref` under its keys; a ref filed again keeps its keys and gains the new ones."""
		known = self._keys.get(ref)
		self._keys[ref] = known.filled_from(keys) if known else keys
		for pair in keys.identifying():
			self._file(pair, ref)
		if similar and keys.match_key:
			self.names.add(keys.match_key, ref)

	def _file(self, pair: tuple[str, str], ref: Hashable) -> None:
		owners = self._by_key.setdefault(pair, [])
		if ref not in owners:
			owners.append(ref)

	def rebind(self, keys: CustomerKeys, old: Hashable, new: Hashable) -> None:
		"""File under `new` what `keys` filed under `old`: an import files a row of the file until it has
		its record, then the record's name, so that it need not keep the row."""
		for pair in keys.identifying():
			owners = self._by_key.get(pair, [])
			for position, ref in enumerate(owners):
				if ref is old:
					owners[position] = new
		if old in self._keys:
			moved = self._keys.pop(old)
			self._keys[new] = self._keys[new].filled_from(moved) if new in self._keys else moved
		if keys.match_key:
			self.names.rebind(keys.match_key, old, new)

	def owner(self, reason: str, key: str) -> Hashable | None:
		"""The first customer the key is filed under, if any."""
		owners = self._by_key.get((reason, key))
		return owners[0] if owners else None

	def add_key(self, reason: str, key: str, ref: Hashable, keys: CustomerKeys | None = None) -> None:
		"""File `ref` under one more key (a mobile of another of its contacts, a key a merge gave it);
		`keys` are the ref's own keys when it is not known yet."""
		if not key:
			return
		if ref not in self._keys:
			self._keys[ref] = keys or CustomerKeys()
		self._file((reason, key), ref)

	def keys_of(self, ref: Hashable) -> CustomerKeys:
		return self._keys.get(ref) or CustomerKeys()

	def candidates(self, keys: CustomerKeys) -> list[tuple[Hashable, str, CustomerKeys]]:
		"""(ref, shared key, ref's keys) for every known customer sharing an identifying key with `keys`,
		strongest key first, each ref once."""
		found, seen = [], set()
		for pair in keys.identifying():
			for ref in self._by_key.get(pair, ()):
				if ref not in seen:
					seen.add(ref)
					found.append((ref, pair[0], self.keys_of(ref)))
		return found

	def same(self, keys: CustomerKeys) -> list[tuple[str, Hashable]]:
		"""(reason, ref) for every known customer sharing an identifying key, strongest reason first, one
		entry per distinct ref (whatever the rule makes of it: see `resolve`)."""
		return [(reason, ref) for ref, reason, _keys in self.candidates(keys)]

	def resolve(self, keys: CustomerKeys) -> Resolution:
		"""The rule (module `resolve`) applied to the known customers sharing a key with `keys`."""
		return resolve(keys, self.candidates(keys))

	def similar(self, keys: CustomerKeys, exclude: Iterable[Hashable] = ()) -> list[Hashable]:
		"""Refs of known customers whose names are possibly the same, except those in `exclude`."""
		if not keys.match_key:
			return []
		excluded = set(exclude)
		return [ref for ref in self.names.similar(keys.match_key) if ref not in excluded]
