"""Conflict policies (SPEC §6): what happens when incoming values meet a record's current ones.

Used by the importer (Update and Merge batches) and by merging two customers alike.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

FILL_EMPTY = "Fill Empty"
OVERWRITE = "Overwrite"
SKIP = "Keep Existing"  # was "Skip" (the framework's 跳跃 read wrong)
POLICIES = (FILL_EMPTY, OVERWRITE, SKIP)


def is_empty(value: object) -> bool:
	"""None, blank text and 0 are empty: a 0 amount or an unticked box carries no information to keep."""
	if value is None:
		return True
	if isinstance(value, str):
		return not value.strip()
	if isinstance(value, bool):
		return not value
	if isinstance(value, int | float | Decimal):
		return value == 0
	return False


def _same(current: object, incoming: object) -> bool:
	"""Equal as values: 500000.0 and Decimal("500000.00") are, and so are a date and its ISO text."""
	if current == incoming:
		return True
	if current is None or incoming is None:
		return False
	numbers = (int, float, Decimal)
	if isinstance(current, numbers) and isinstance(incoming, numbers) and not isinstance(current, bool):
		return Decimal(str(current)) == Decimal(str(incoming))
	return str(current).strip() == str(incoming).strip()


def resolve(current: Mapping, incoming: Mapping, policy: str, fields: Iterable[str] | None = None) -> dict:
	"""The changes to make to a record holding `current` values, given `incoming` ones, under `policy`.

	Fill Empty: only fields that are empty now get the incoming value (never overwrite);
	Overwrite: every non-empty incoming value replaces a different current one;
	Keep Existing: nothing changes. An empty incoming value never erases anything. `fields` limits the
	fields considered (default: all incoming keys).
	"""
	if policy not in POLICIES:
		raise ValueError(f"unknown conflict policy {policy!r}")
	if policy == SKIP:
		return {}
	changes = {}
	for field in fields if fields is not None else incoming.keys():
		value = incoming.get(field)
		if is_empty(value):
			continue
		now = current.get(field)
		if policy == FILL_EMPTY and not is_empty(now):
			continue
		if not _same(now, value):
			changes[field] = value
	return changes


def conflicts(current: Mapping, incoming: Mapping, fields: Iterable[str] | None = None) -> dict:
	"""field → (current, incoming) for each field where both are non-empty and differ."""
	found = {}
	for field in fields if fields is not None else incoming.keys():
		now, value = current.get(field), incoming.get(field)
		if not is_empty(now) and not is_empty(value) and not _same(now, value):
			found[field] = (now, value)
	return found


def append_source(existing: object, addition: str) -> str:
	"""data_source with one more line (not repeated when it is already the last line)."""
	lines = [line for line in str(existing or "").splitlines() if line.strip()]
	if not lines or lines[-1] != addition:
		lines.append(addition)
	return "\n".join(lines)
