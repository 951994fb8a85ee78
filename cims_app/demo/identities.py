"""Made-up but valid identities: people, company and institution names, credit codes, ID numbers, phones, emails.

Pure Python (no frappe): a seeded `random.Random` makes the output repeatable, and the `TakenKeys` bit sets make
every unique value unique against what the site already holds and against everything made in this run.
"""

import datetime
import random
from dataclasses import dataclass, field
from typing import NamedTuple

from cims_app.demo import chinese_data as data
from cims_app.domain.compact import BitSet
from cims_app.domain.identifiers import USCC_ALPHABET, id_check_char, uscc_check_char
from cims_app.domain.names import exact_key

MOBILE_PREFIXES = (
	*(f"13{d}" for d in range(10)),
	"145",
	"147",
	*(f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)),
	"166",
	"173",
	"177",
	"178",
	*(f"18{d}" for d in range(10)),
	"191",
	"198",
	"199",
)
# GB 11714 organisation code: weights of its 8 body characters; letters count 10 (A) to 35 (Z).
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_CHARS = USCC_ALPHABET  # stay inside the credit-code alphabet (no I, O, S, V, Z)
_MAX_TRIES = 12


@dataclass
class TakenKeys:
	"""Values that must stay unique: loaded from the site once, then grown with every value made. Each is a
	fixed-size BitSet, so the generator's memory stays flat however many customers it makes (a value it
	takes for taken without being so is only drawn again)."""

	exact_keys: BitSet = field(default_factory=BitSet)
	usccs: BitSet = field(default_factory=BitSet)
	id_numbers: BitSet = field(default_factory=BitSet)
	mobiles: BitSet = field(default_factory=BitSet)
	emails: BitSet = field(default_factory=BitSet)


class Person(NamedTuple):
	name: str
	pinyin_surname: str
	pinyin_given: str
	gender: str  # Frappe's Gender names: Male / Female


class Place(NamedTuple):
	region: str  # the CIMS Region leaf
	province: str  # full administrative name, e.g. 广东省
	city: str
	area_code: str  # landline area code, "" where there is no mainland landline
	admin_code: str  # 6-digit administrative division code for credit codes and ID numbers
	address_prefix: str  # 广东省深圳市 / 上海市


class Organisation(NamedTuple):
	name: str
	short_name: str
	domain: str  # web domain for email addresses


def _cumulative(weights) -> list[float]:
	total, out = 0.0, []
	for weight in weights:
		total += weight
		out.append(total)
	return out


class IdentityFactory:
	def __init__(self, rng: random.Random, taken: TakenKeys):
		self.rng = rng
		self.taken = taken
		self._surnames = [(char, pinyin) for char, pinyin, _weight in data.SURNAMES]
		self._surname_weights = _cumulative(weight for _char, _pinyin, weight in data.SURNAMES)
		self._suffixes = [suffix for suffix, _weight in data.LEGAL_SUFFIXES]
		self._suffix_weights = _cumulative(weight for _suffix, weight in data.LEGAL_SUFFIXES)
		self._stem_pinyin = dict(data.STEM_CHARS)

	# People ---------------------------------------------------------------

	def person(self, gender: str | None = None) -> Person:
		rng = self.rng
		surname, surname_pinyin = rng.choices(self._surnames, cum_weights=self._surname_weights)[0]
		gender = gender or ("Male" if rng.random() < 0.55 else "Female")
		pool = data.MALE_GIVEN if gender == "Male" else data.FEMALE_GIVEN
		given = [rng.choice(pool) for _ in range(1 if rng.random() < 0.3 else 2)]
		return Person(
			surname + "".join(char for char, _ in given),
			surname_pinyin,
			"".join(pinyin for _, pinyin in given),
			gender,
		)

	def birth_date(
		self, youngest: int = 22, oldest: int = 65, today: datetime.date | None = None
	) -> datetime.date:
		today = today or datetime.date.today()
		days = self.rng.randint(youngest * 365, oldest * 365)
		return today - datetime.timedelta(days=days)

	def id_number(self, place: Place, birth: datetime.date, gender: str) -> str:
		"""An 18-character resident ID number (GB 11643) for a person born in `place` on `birth`."""
		rng = self.rng
		for _ in range(_MAX_TRIES * 10):
			sequence = rng.randrange(0, 1000)
			# The 17th digit is odd for men, even for women.
			if (sequence % 2 == 1) != (gender == "Male"):
				sequence = (sequence + 1) % 1000
			first17 = f"{place.admin_code}{birth:%Y%m%d}{sequence:03d}"
			number = first17 + id_check_char(first17)
			if number not in self.taken.id_numbers:
				self.taken.id_numbers.add(number)
				return number
			birth += datetime.timedelta(days=1)
		raise RuntimeError("could not find an unused ID number")

	# Places ---------------------------------------------------------------

	def place(self, region: str) -> Place:
		rng = self.rng
		province, cities = data.PROVINCES.get(region, (region, ((region, "", "1100"),)))
		city, area_code, admin4 = rng.choice(cities)
		admin_code = admin4 + ("00" if admin4.endswith("00") else f"{rng.randint(1, 12):02d}")
		if region in data.MUNICIPALITIES:
			prefix = province
		else:
			prefix = f"{province}{city}市"
		return Place(region, province, city, area_code, admin_code, prefix)

	def address(self, place: Place) -> str:
		rng = self.rng
		return "".join(
			(
				place.address_prefix,
				rng.choice(data.DISTRICTS),
				rng.choice(data.STREETS),
				f"{rng.randint(1, 999)}号",
				rng.choice(data.BUILDINGS),
			)
		)

	# Organisations --------------------------------------------------------

	def _stem(self) -> tuple[str, str]:
		first, second = self.rng.sample(data.STEM_CHARS, 2)
		return first[0] + second[0], first[1] + second[1]

	def _claim_name(self, name: str) -> bool:
		key = exact_key(name)
		if key in self.taken.exact_keys:
			return False
		self.taken.exact_keys.add(key)
		return True

	def company(self, place: Place, industry_words: tuple[str, ...]) -> Organisation:
		"""An enterprise name unique by exact key: 深圳华信电子科技有限公司, 华信(深圳)电子有限公司…"""
		rng = self.rng
		for attempt in range(_MAX_TRIES * 2):
			stem, stem_pinyin = self._stem()
			word = rng.choice(industry_words)
			suffix = rng.choices(self._suffixes, cum_weights=self._suffix_weights)[0]
			if attempt >= _MAX_TRIES:
				# Crowded combination: a second word makes it distinct (华信实业电子有限公司).
				word = rng.choice(data.DISAMBIGUATORS) + word
			form = rng.random()
			if form < 0.72:
				name = f"{place.city}{stem}{word}{suffix}"
			elif form < 0.84:
				name = f"{stem}({place.city}){word}{suffix}"
			else:
				name = f"{stem}{word}{suffix}"
			if self._claim_name(name):
				tld = rng.choice(data.COMPANY_TLDS)
				return Organisation(name, stem + word, stem_pinyin + tld)
		return self._numbered(f"{place.city}{stem}{word}", suffix, stem_pinyin + ".com")

	def institution(self, place: Place, patterns: tuple[str, ...]) -> Organisation:
		"""A public institution name unique by exact key: 杭州市第三人民医院, 南京华信职业技术学院…"""
		rng = self.rng
		for _attempt in range(_MAX_TRIES * 2):
			stem, stem_pinyin = self._stem()
			name = rng.choice(patterns).format(city=place.city, stem=stem, n=rng.randint(1, 30))
			if self._claim_name(name):
				return Organisation(
					name, name.removeprefix(place.city).removeprefix("市"), stem_pinyin + ".org.cn"
				)
		return self._numbered(name, "", stem_pinyin + ".org.cn")

	def _numbered(self, base: str, suffix: str, domain: str) -> Organisation:
		"""Last resort when every drawn name is taken: a number before the legal suffix."""
		number = 2
		while True:
			name = f"{base}{number}{suffix}"
			if self._claim_name(name):
				return Organisation(name, base, domain)
			number += 1

	# Identifiers ----------------------------------------------------------

	def _organisation_code(self) -> str:
		"""9 characters: an 8-character body (new-style MA… or digits) and its GB 11714 check character."""
		rng = self.rng
		if rng.random() < 0.6:
			body = "MA" + "".join(rng.choices(_ORG_BODY_CHARS, k=6))
		else:
			body = f"{rng.randrange(100_000_000):08d}"
		total = sum(int(char, 36) * weight for char, weight in zip(body, _ORG_CODE_WEIGHTS, strict=True))
		check = 11 - total % 11
		return body + {10: "X", 11: "0"}.get(check, str(check))

	def uscc(self, kind: str, place: Place) -> str:
		"""A Unified Social Credit Code (GB 32100-2015): kind ("91" enterprise, "12" public institution,
		"11" government body) + the 6-digit region code + the organisation code + the check character."""
		for _ in range(_MAX_TRIES * 10):
			first17 = f"{kind}{place.admin_code}{self._organisation_code()}"
			code = first17 + uscc_check_char(first17)
			if code not in self.taken.usccs:
				self.taken.usccs.add(code)
				return code
		raise RuntimeError("could not find an unused credit code")

	def mobile(self) -> str:
		rng = self.rng
		while True:
			number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
			if number not in self.taken.mobiles:
				self.taken.mobiles.add(number)
				return number

	def landline(self, place: Place) -> str | None:
		if not place.area_code:
			return None
		digits = 7 if len(place.area_code) == 4 and self.rng.random() < 0.3 else 8
		first = self.rng.randint(2, 8)
		rest = self.rng.randrange(10 ** (digits - 1))
		return f"{place.area_code}-{first}{rest:0{digits - 1}d}"

	def email(self, local: str, domain: str) -> str:
		"""local@domain, with a number added to the local part when that address is taken."""
		address = f"{local}@{domain}"
		number = 1
		while address in self.taken.emails:
			number += 1
			address = f"{local}{number}@{domain}"
		self.taken.emails.add(address)
		return address

	def work_email(self, person: Person, domain: str) -> str:
		style = self.rng.random()
		if style < 0.5:
			local = person.pinyin_surname + person.pinyin_given
		elif style < 0.8:
			local = f"{person.pinyin_given}.{person.pinyin_surname}"
		else:
			local = person.pinyin_surname + person.pinyin_given[:1]
		return self.email(local, domain)

	def personal_email(self, person: Person) -> str:
		rng = self.rng
		domain = rng.choice(data.PERSONAL_EMAIL_DOMAINS)
		if domain == "qq.com" and rng.random() < 0.6:
			return self.email(str(rng.randint(10_000_000, 2_999_999_999)), domain)
		return self.email(f"{person.pinyin_surname}{person.pinyin_given}{rng.randint(1, 99)}", domain)
