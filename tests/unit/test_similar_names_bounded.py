"""The similar-name lookup of an import costs the same per row however many alike names the site holds
(issue 17): thousands of 上海…科技 share their bigrams, and a row gets a short list, not hundreds."""

from cims_app.domain import duplicates
from cims_app.domain.duplicates import SIMILAR_CHECKED, SIMILAR_FOUND, SimilarNameIndex


def alike_index(count: int) -> SimilarNameIndex:
	index = SimilarNameIndex()
	for number in range(count):
		index.add(f"上海华瑞{number:05d}科技", f"C-{number}")
	return index


def test_a_name_contained_in_thousands_of_known_names_lists_the_earliest_few():
	index = alike_index(5000)
	assert index.similar("上海华瑞") == [f"C-{number}" for number in range(SIMILAR_FOUND)]


def test_the_known_names_checked_per_lookup_are_bounded_whatever_the_site_holds(monkeypatch):
	checked = []
	original = duplicates.match_keys_possibly_same

	def counting(a, b):
		checked.append(b)
		return original(a, b)

	monkeypatch.setattr(duplicates, "match_keys_possibly_same", counting)
	for count in (3000, 12000):
		checked.clear()
		alike_index(count).similar("上海华瑞")  # contained in every one of them
		assert 0 < len(checked) <= SIMILAR_CHECKED


def test_an_exact_match_added_late_is_still_found_among_thousands_of_alike_names():
	index = alike_index(6000)
	index.add("上海华瑞", "C-late")
	assert "C-late" in index.similar("上海华瑞")


def test_names_sharing_their_bigrams_with_thousands_of_others_get_a_few_candidates_each():
	"""A file of 上海{2-4 characters}{trade}科技 names: each bigram of a name is in hundreds of others, few hold
	two of its rarest ones. Candidates per name stay a handful however many such names came before, so an
	import's cost per row does not grow along the file; a name containing the new one is still found."""
	import random

	rng = random.Random(17)
	chars = "晨心帆诚航耀昌荣宝合宇瑞华信达通恒泰德新源盛丰隆鑫科创博"
	trades = ["电子商务", "贸易", "物流", "教育", "咨询", "信息技术", "发展"]
	index = SimilarNameIndex()
	counts = []
	for number in range(20000):
		key = (
			"上海"
			+ "".join(rng.choice(chars) for _ in range(rng.randint(2, 4)))
			+ rng.choice(trades)
			+ "科技"
		)
		if number >= 19000:
			counts.append(len(index._candidates(key)))
		index.add(key, f"C-{number}")
	assert sum(counts) / len(counts) < 10, sum(counts) / len(counts)  # 47 before reading two bigrams
	index.add("上海晨心帆诚航贸易科技发展", "C-longer")
	assert "C-longer" in index.similar("晨心帆诚航贸易")
