"""Company and person name normalisation: the exact key, the match key and possible-duplicate detection."""

import re
import unicodedata

from cims_app.domain.text import clean_text, to_half_width, unify_brackets, without_whitespace

# Legal-form suffixes that do not change which company a name means, longest first.
# Chinese ones match literally at the end of a name; Latin ones as whole words, any
# punctuation and spacing between their parts ("Co., Ltd." = "Co Ltd" = "co.,ltd").
LEGAL_SUFFIXES: tuple[str, ...] = (
	"Company Limited",
	"Co., Limited",
	"Incorporated",
	"Corporation",
	"Co., Ltd.",
	"集团股份有限公司",
	"集团有限责任公司",
	"Limited",
	"Company",
	"集团有限公司",
	"股份有限公司",
	"有限责任公司",
	"L.L.C.",
	"有限公司",
	"(集团)",
	"GmbH",
	"Corp",
	"Inc",
	"Ltd",
	"LLC",
	"集团",
	"公司",
	"Co",
)

_LATIN_JOINER = r"[\s.,]*"
# Trailing spaces and punctuation, except a closing bracket that may end a suffix such as (集团).
_TRAILING_NOISE = re.compile(r"(?:[^\w)]|_)+$")
# The interpunct in transliterated names, in its Western, Japanese and bullet look-alikes.
_NAME_DOT = re.compile(r"\s*[·・•‧]\s*")
_CJK_SPACE = re.compile(
	r"(?<=[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f])\s+(?=[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f])"
)


def _is_cjk(char: str) -> bool:
	return unicodedata.name(char, "").startswith("CJK ")


def _suffix_pattern(suffix: str) -> re.Pattern:
	folded = unify_brackets(to_half_width(suffix)).casefold()
	if any(_is_cjk(char) for char in folded):
		# 分公司 is a branch, a different record from the company itself: keep its 公司.
		guard = "(?<!分)" if folded == "公司" else ""
		return re.compile(guard + re.escape(folded) + r"$")
	words = re.findall(r"[0-9a-z]+", folded)
	return re.compile(r"(?<![0-9a-z])" + _LATIN_JOINER.join(words) + r"[\s.,]*$")


def _suffix_tail(suffix: str) -> str:
	"""What a text must end with for the suffix's pattern to match it, once its trailing noise is gone (the
	pattern's last word, or the whole CJK suffix): a test far cheaper than the pattern's search."""
	folded = unify_brackets(to_half_width(suffix)).casefold()
	if any(_is_cjk(char) for char in folded):
		return folded
	return re.findall(r"[0-9a-z]+", folded)[-1]


_SUFFIX_PATTERNS = tuple((_suffix_tail(suffix), _suffix_pattern(suffix)) for suffix in LEGAL_SUFFIXES)


def exact_key(name: object) -> str:
	"""Half-width, brackets unified to (), all whitespace removed, case folded.

	Two enterprises with the same exact key are the same company.
	"""
	return without_whitespace(unify_brackets(to_half_width(name))).casefold()


def match_key(name: object) -> str:
	"""The exact key without legal-form suffixes and punctuation, for possible-duplicate checks.

	Suffixes of LEGAL_SUFFIXES are stripped from the end again and again (某某(集团)股份有限公司 →
	某某), but never down to nothing; then everything that is not a letter or digit (CJK
	included) goes. A leading region (北京某某) is kept. Names of punctuation only keep their
	exact key.
	"""
	text = clean_text(unify_brackets(to_half_width(name))).casefold()
	text = _TRAILING_NOISE.sub("", text)
	stripped = True
	while stripped:
		stripped = False
		for tail, pattern in _SUFFIX_PATTERNS:
			# text has no trailing noise here: a suffix can only match where text ends with its tail
			found = text.endswith(tail) and pattern.search(text)
			if not found:
				continue
			rest = _TRAILING_NOISE.sub("", text[: found.start()])
			# The longest suffix that matches decides; a name that is only a suffix stays as it is.
			if any(char.isalnum() for char in rest):
				text, stripped = rest, True
			break
	key = "".join(char for char in text if char.isalnum())
	return key or exact_key(name)


def _substantial(key: str) -> bool:
	"""At least 2 CJK characters or 4 Latin letters/digits: enough to mean something on its own."""
	cjk = sum(1 for char in key if _is_cjk(char))
	latin = sum(1 for char in key if char.isascii() and char.isalnum())
	return cjk >= 2 or latin >= 4


def _is_subsequence(short: str, long: str) -> bool:
	remaining = iter(long)
	return all(char in remaining for char in short)


def names_possibly_same(a: object, b: object) -> bool:
	"""Whether two names may mean the same company, for a person to confirm (symmetric, reflexive).

	With match keys A and B (the shorter S, the longer L) they may when:
	- A == B;
	- S is contained in L and S has at least 2 CJK characters or 4 Latin letters/digits
	  (华为 in 华为技术); or
	- S is an abbreviation of L: its characters appear in L in order (中石油 in 中国石油天然气),
	  S has at least 2 characters and covers at least 40 % of L's length.
	Blank names are never possibly the same as anything.
	"""
	return match_keys_possibly_same(match_key(a), match_key(b))


def match_keys_possibly_same(key_a: str, key_b: str) -> bool:
	"""names_possibly_same for names whose match keys are already known (bulk duplicate checks)."""
	if not key_a or not key_b:
		return False
	if key_a == key_b:
		return True
	short, long = sorted((key_a, key_b), key=len)
	if len(short) == len(long):
		return False
	if short in long and _substantial(short):
		return True
	return len(short) >= 2 and len(short) * 10 >= len(long) * 4 and _is_subsequence(short, long)


def normalise_person_name(name: object) -> str:
	"""clean_text, then no spaces between CJK characters or around a name dot (张 三 → 张三,
	阿里木 · 买买提 → 阿里木·买买提; John  Smith → John Smith).
	"""
	return _CJK_SPACE.sub("", _NAME_DOT.sub("·", clean_text(name)))
