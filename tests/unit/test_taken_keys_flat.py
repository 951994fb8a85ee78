"""cims-demo's unique values kept in fixed-size bit sets (issue 17): a 1,000,000-customer demo keeps about
5 million keys, which took 500 MB as sets of str; the memory is now the same at any size."""

import random

from cims_app.demo.identities import IdentityFactory, TakenKeys
from cims_app.domain.compact import BitSet


def test_a_value_added_is_always_found_and_few_others_are():
	bits = BitSet(1 << 20)
	added = [f"1{number:010d}" for number in range(50_000)]
	bits.update(added)
	assert all(value in bits for value in added)
	strangers = sum(f"2{number:010d}" in bits for number in range(50_000))
	assert strangers < 500  # about 0.3 % with 50,000 values in 1 M bits
	assert len(bits) == 50_000


def test_the_memory_of_the_taken_keys_does_not_grow_with_the_values_made():
	taken = TakenKeys()
	before = sum(
		getattr(taken, name).nbytes for name in ("exact_keys", "usccs", "id_numbers", "mobiles", "emails")
	)
	factory = IdentityFactory(random.Random(3), taken)
	mobiles = {factory.mobile() for _ in range(20_000)}
	assert len(mobiles) == 20_000  # unique, as before
	after = sum(
		getattr(taken, name).nbytes for name in ("exact_keys", "usccs", "id_numbers", "mobiles", "emails")
	)
	assert after == before


def test_bits_must_be_a_power_of_two():
	import pytest

	with pytest.raises(ValueError):
		BitSet(1000)
