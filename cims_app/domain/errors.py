"""The one exception the domain rules raise, and the marker that makes their messages translatable."""


def _(text: str) -> str:
	"""Return `text` unchanged.

	A marker only: Frappe's translation extractor collects every `_("...")` literal, so the
	English templates raised here land in the app's translation files. Controllers translate
	at display time with `frappe._(e.message).format(*e.params)`.
	"""
	return text


class RuleViolation(ValueError):
	"""A value breaks a business rule.

	`message` is the English template (placeholders {0}, {1}, ...), `params` the values that
	fill it, `field` the fieldname the value came from when known. `str(e)` is the filled-in
	English message.
	"""

	def __init__(self, message: str, params: tuple = (), field: str | None = None):
		self.message = message
		self.params = tuple(params)
		self.field = field
		super().__init__(message, self.params, field)

	def __str__(self) -> str:
		return self.message.format(*self.params)

	def __repr__(self) -> str:
		return f"RuleViolation({self.message!r}, {self.params!r}, field={self.field!r})"
