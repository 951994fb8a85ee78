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
