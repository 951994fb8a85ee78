"""A thin driver for Frappe's Desk over selenium: log in, open routes, fill controls, save, screenshot.

Waits are conditions on the page (the Desk idle: no pending request, no freeze), never fixed sleeps
standing in for assertions.
"""

import time
from pathlib import Path

from selenium.common.exceptions import (
	ElementClickInterceptedException,
	JavascriptException,
	StaleElementReferenceException,
	TimeoutException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

IDLE_JS = """
return document.readyState === "complete" && !!window.frappe && !!frappe.request
	&& (frappe.request.ajax_count || 0) === 0 && !(frappe.dom && frappe.dom.freeze_count);
"""


class Desk:
	def __init__(self, driver, base_url: str, screenshots: Path, label: str):
		self.driver = driver
		self.base_url = base_url
		self.screenshots = screenshots
		self.label = label
		screenshots.mkdir(parents=True, exist_ok=True)

	# navigation -----------------------------------------------------------------------------
	def login(self, user: str, password: str) -> None:
		self.driver.get(f"{self.base_url}/login")
		self.wait_for(lambda d: d.find_elements(By.ID, "login_email"), "the login form")
		self.driver.find_element(By.ID, "login_email").send_keys(user)
		self.driver.find_element(By.ID, "login_password").send_keys(password)
		self.driver.find_element(By.CSS_SELECTOR, ".btn-login").click()
		self.wait_for(lambda d: "/app" in d.current_url, "the Desk after login", timeout=60)
		self.wait_idle()
		# The landing workspace draws itself after its request returns; routing away before it has makes
		# the framework's workspace look up the new route's name among its pages and throw (an Uncaught
		# TypeError in the console). A user sees the page before clicking on: so does the test.
		self.wait_for(
			lambda d: d.execute_script(
				"return !document.querySelector('.workspace-skeleton, .workspace-sidebar-skeleton')"
			),
			"the landing workspace to be drawn",
			60,
		)
		self.wait_idle()

	def open(self, route: str) -> None:
		self.driver.get(f"{self.base_url}/app/{route}")
		self.wait_idle()

	def js(self, script: str, *args):
		return self.driver.execute_script(script, *args)

	def wait_for(self, condition, what: str, timeout: int = 30):
		def safe(driver):
			try:
				return condition(driver)
			except (JavascriptException, StaleElementReferenceException):
				return False

		try:
			return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(
				safe, message=f"[{self.label}] waited {timeout} s for {what}"
			)
		except TimeoutException:
			self.driver.save_screenshot(str(self.screenshots / f"{self.label}-timeout.png"))  # for the reader
			raise

	def wait_idle(self, timeout: int = 60) -> None:
		self.wait_for(lambda d: d.execute_script(IDLE_JS), "the Desk to be idle", timeout)

	def wait_form(self, doctype: str, new: bool | None = None) -> None:
		def ready(driver):
			state = driver.execute_script(
				"const f = window.cur_frm; return f && f.doctype === arguments[0] && f.doc"
				" && !!f.layout && f.layout.wrapper && f.layout.wrapper.is(':visible') ? (f.is_new() ? 'new' : 'saved') : null",
				doctype,
			)
			return state and (new is None or state == ("new" if new else "saved"))

		self.wait_for(ready, f"the {doctype} form", 60)
		self.wait_idle()

	# form controls ---------------------------------------------------------------------------
	def control(self, fieldname: str, scope: str = ".form-layout"):
		selector = f"{scope} .frappe-control[data-fieldname='{fieldname}']"
		return self.wait_for(
			lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()), None),
			f"the field {fieldname}",
		)

	def type_into(self, fieldname: str, text: str, scope: str = ".form-layout") -> None:
		control = self.control(fieldname, scope)
		field = control.find_element(By.CSS_SELECTOR, "input, textarea, .ql-editor")
		if "ql-editor" in (field.get_attribute("class") or ""):
			self._type_into_editor(fieldname, field, text, scope)
		else:
			self._type(field, text)
			if field.tag_name == "input":
				field.send_keys(Keys.TAB)
		self.wait_idle()

	def _type(self, field, text: str) -> None:
		self.js("arguments[0].scrollIntoView({block: 'center'})", field)
		field.click()
		field.send_keys(Keys.CONTROL, "a")
		field.send_keys(text)

	def _type_into_editor(self, fieldname: str, editor, text: str, scope: str) -> None:
		"""Type into a text editor and wait until its model holds the text, typing again if it was wiped.

		The editor hands its text to the model after a pause (debounced). Until it has, a refresh of
		the field redraws the editor from the model and wipes what was typed: the next field
		re-evaluating a mandatory_depends_on, or a dialog's dependency refresh, which the Desk runs
		0.1 s after any select changes (a select chosen just before). A user sees the text vanish and
		types it again; so does the test, at most three times.
		"""
		probe = text.strip()[:12]
		state_js = (
			"const doc = arguments[1] !== '.form-layout' && window.cur_dialog ? cur_dialog.doc"
			" : window.cur_frm && cur_frm.doc;"
			"if (doc && frappe.utils.html2text(doc[arguments[0]] || '').includes(arguments[2])) return 'kept';"
			"return arguments[3].isConnected && arguments[3].innerText.includes(arguments[2]) ? null : 'wiped';"
		)
		for _attempt in range(3):
			self._type(editor, text)
			state = self.wait_for(
				lambda d: d.execute_script(state_js, fieldname, scope, probe, editor),
				f"the text of {fieldname} in the model",
			)
			if state == "kept":
				return
			editor = self.control(fieldname, scope).find_element(By.CSS_SELECTOR, ".ql-editor")
		raise AssertionError(f"[{self.label}] the text typed into {fieldname} was wiped three times")

	def choose(self, fieldname: str, value: str, scope: str = ".form-layout") -> None:
		from selenium.webdriver.support.ui import Select

		control = self.control(fieldname, scope)
		select = control.find_element(By.TAG_NAME, "select")
		self.js("arguments[0].scrollIntoView({block: 'center'})", select)
		Select(select).select_by_value(value)
		self.wait_idle()

	def pick_link(self, fieldname: str, text: str, scope: str = ".form-layout") -> None:
		"""Type into a Link field and pick the suggestion showing `text`, as a user does."""
		control = self.control(fieldname, scope)
		field = control.find_element(By.CSS_SELECTOR, "input")
		self.js("arguments[0].scrollIntoView({block: 'center'})", field)
		field.click()
		field.send_keys(Keys.CONTROL, "a")
		field.send_keys(text)
		option = self.wait_for(
			lambda d: next(
				(
					e
					for e in control.find_elements(By.CSS_SELECTOR, "ul[role='listbox'] [role='option']")
					if e.is_displayed() and text in e.text
				),
				None,
			),
			f"a suggestion {text!r} for {fieldname}",
		)
		option.click()
		self.wait_idle()

	def add_grid_row(self, table: str, values: dict, checks: tuple = ()) -> None:
		"""Add a row to a child table, typing into its cells and ticking its checkboxes.

		On a wide screen the row is edited inline; on a phone the Desk opens the row's own form.
		"""
		grid = self.control(table)
		add = grid.find_element(By.CSS_SELECTOR, ".grid-add-row")
		self.js("arguments[0].scrollIntoView({block: 'center'})", add)
		add.click()
		self.wait_idle()
		row = self.wait_for(
			lambda d: grid.find_elements(By.CSS_SELECTOR, ".grid-body .grid-row[data-idx]")[-1], "the new row"
		)

		def cell_input(fieldname: str):
			def find(driver):
				open_form = [
					e
					for e in driver.find_elements(By.CSS_SELECTOR, ".grid-row-open .form-in-grid")
					if e.is_displayed()
				]
				scope = open_form[0] if open_form else row
				inputs = scope.find_elements(By.CSS_SELECTOR, f"[data-fieldname='{fieldname}'] input")
				visible = [e for e in inputs if e.is_displayed()]
				if visible:
					return visible[0]
				if not open_form:
					row.find_element(By.CSS_SELECTOR, f".static-area, [data-fieldname='{fieldname}']").click()
				return None

			return self.wait_for(find, f"the {fieldname} cell of {table}")

		for fieldname, text in values.items():
			cell_input(fieldname).send_keys(text)
		for fieldname in checks:
			box = cell_input(fieldname)
			if not box.is_selected():
				self.js("arguments[0].scrollIntoView({block: 'center'})", box)
				try:
					box.click()
				except ElementClickInterceptedException:
					self.js("arguments[0].click()", box)  # Desk draws its own box over the input
		collapse = [
			e
			for e in self.driver.find_elements(By.CSS_SELECTOR, ".grid-row-open .grid-collapse-row")
			if e.is_displayed()
		]
		if collapse:
			collapse[0].click()
		self.wait_idle()

	def is_section_visible(self, fieldname: str) -> bool:
		return self.js(
			"const s = cur_frm.fields_dict[arguments[0]]; return !!(s && s.wrapper && $(s.wrapper).is(':visible'))",
			fieldname,
		)

	def save(self) -> None:
		self.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.CONTROL, "s")
		self.wait_for(
			lambda d: d.execute_script("return cur_frm && !cur_frm.is_new() && !cur_frm.is_dirty()"),
			"the form to be saved",
			60,
		)
		self.wait_idle()

	def click_button(self, text: str, within: str = "body") -> None:
		"""Click a visible button or dropdown item whose text is `text` (already translated)."""
		xpath = (
			f"//*[self::button or self::a or contains(@class,'dropdown-item') or contains(@class,'btn')]"
			f"[normalize-space(.)={_xpath_literal(text)}]"
		)
		element = self.wait_for(
			lambda d: next(
				(
					e
					for e in d.find_element(By.CSS_SELECTOR, within).find_elements(By.XPATH, "." + xpath)
					if e.is_displayed()
				),
				None,
			),
			f"a button {text!r}",
		)
		if within == ".page-head":
			self.js("window.scrollTo(0, 0)")
		else:
			self.js("arguments[0].scrollIntoView({block: 'center'})", element)
		try:
			element.click()
		except ElementClickInterceptedException:
			self.js("arguments[0].click()", element)  # a sticky header over it; a user would scroll
		self.wait_idle()

	def click_until(self, text: str, within: str, done_js: str, what: str, attempts: int = 3) -> None:
		"""Click the button `text` until `done_js` holds (a form opened, a dialog shown), as a user clicks again
		when nothing happened: a click that lands while the form redraws its section after a save reaches a
		button being replaced and does nothing (no request, no route). Waits 15 s a click; a click that did
		work, only slowly, is not repeated."""

		def done(driver) -> bool:
			try:
				return bool(driver.execute_script(done_js))
			except JavascriptException:
				return False

		for attempt in range(attempts):
			if not done(self.driver):
				try:
					self.click_button(text, within)
				except TimeoutException:
					pass  # the button is gone: the click before it may have worked after all
			try:
				self.wait_for(done, what, 15)
				return
			except TimeoutException:
				if attempt == attempts - 1:
					raise

	def submit_dialog(self, text: str, timeout: int = 45) -> None:
		"""Press the open dialog's button `text` and wait for the dialog to close, as a user would.

		A click that reaches the button while the dialog is still settling does nothing: no request,
		no message, the dialog stays. When the Desk is idle, the dialog still open and no message on
		screen a few seconds after the click, the button is pressed again (a request that went out
		closes the dialog in its callback, so nothing is saved twice). A message the app shows
		instead (a validation error) fails at once with its text."""
		dialog = ".modal.show"
		xpath = f"//button[normalize-space(.)={_xpath_literal(text)}]"
		self.click_button(text, dialog)
		state = {"clicked": time.monotonic()}

		def closed(driver):
			shown = driver.execute_script(
				"const m = [...document.querySelectorAll('.modal.show')];"
				"return m.map(e => [!!e.querySelector('.msgprint'), e.innerText.slice(0, 500) + ' | ' + (e.querySelector('.msgprint') || {}).innerText]);"
			)
			if not shown:
				return True
			message = next((text_ for is_message, text_ in shown if is_message), None)
			if message is not None:
				raise AssertionError(f"[{self.label}] the dialog answered with a message: {message}")
			if time.monotonic() - state["clicked"] > 8 and driver.execute_script(IDLE_JS):
				button = next(
					(
						e
						for e in driver.find_elements(
							By.XPATH, f"//div[contains(@class,'modal') and contains(@class,'show')]{xpath}"
						)
						if e.is_displayed()
					),
					None,
				)
				if button is not None:
					button.click()
					state["clicked"] = time.monotonic()
			return False

		try:
			self.wait_for(closed, f"the dialog to close after {text!r}", timeout)
		except TimeoutException as e:
			still = self.js("const m = document.querySelector('.modal.show'); return m ? m.innerText : ''")
			raise TimeoutException(f"{e.msg}; still open: {still[:500]!r}") from e

	def open_menu_item(self, group: str, item: str) -> None:
		"""A custom button inside a group: its dropdown on a wide screen, "group > item" in the ... menu on a phone."""
		group_buttons = [
			e
			for e in self.driver.find_elements(By.CSS_SELECTOR, ".page-head .inner-group-button > button")
			if e.is_displayed() and e.text.strip() == group
		]
		if group_buttons:
			self.click_button(group, ".page-head")
			self.click_button(item, ".page-head")
		else:
			self.js("window.scrollTo(0, 0)")
			self.driver.find_element(By.CSS_SELECTOR, ".page-head .menu-btn-group > button").click()
			self.click_button(f"{group} > {item}", ".page-head")

	def apply_workflow_action(self, action: str) -> None:
		"""Click a workflow action (already translated) in the form's Actions dropdown."""
		self.js("window.scrollTo(0, 0)")
		self.wait_for(
			lambda d: next(
				(
					e
					for e in d.find_elements(By.CSS_SELECTOR, ".page-head .actions-btn-group > button")
					if e.is_displayed()
				),
				None,
			),
			"the workflow Actions button",
		).click()
		self.click_button(action, ".page-head .actions-btn-group")
		confirm = [
			e
			for e in self.driver.find_elements(By.CSS_SELECTOR, ".modal.show .btn-primary")
			if e.is_displayed()
		]
		if confirm:
			confirm[0].click()
		self.wait_idle()

	def dialog(self):
		return self.wait_for(
			lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, ".modal.show .modal-dialog")), None),
			"a dialog",
		)

	def screenshot(self, name: str) -> Path:
		path = self.screenshots / f"{self.label}-{name}.png"
		self.js("window.scrollTo(0, 0)")
		self.driver.save_screenshot(str(path))
		return path

	def translate(self, text: str) -> str:
		return self.js("return __(arguments[0])", text)

	def visible_texts(self, selector: str) -> list[str]:
		return [
			text
			for text in self.js(
				"return Array.from(document.querySelectorAll(arguments[0]))"
				".filter(e => e.offsetParent !== null).map(e => e.innerText.trim())",
				selector,
			)
			if text
		]

	def severe_console_errors(self) -> list[str]:
		# No socket.io server in tests; frappe-charts redraws a chart of a page already left (a framework race).
		noise = (
			"socket.io",
			"favicon",
			"Error connecting to socket",
			"Failed to execute 'removeChild' on 'Node'",
		)
		return [
			entry["message"]
			for entry in self.driver.get_log("browser")
			if entry["level"] == "SEVERE" and not any(word in entry["message"] for word in noise)
		]


def _xpath_literal(text: str) -> str:
	if "'" not in text:
		return f"'{text}'"
	return 'concat("' + '", "'.join(text.split('"')) + '")' if '"' in text else f'"{text}"'


PASSWORD = "Cims-E2E-Pass-2026!"


def make_desk_user(prefix: str, roles, first_name: str, last_name: str | None = None, **values) -> str:
	"""A Desk user with PASSWORD (not committed: the caller commits once its records are made too)."""
	import frappe
	import frappe.utils.password

	from tests.integration.support import unique_suffix

	email = f"cims-e2e-{prefix}-{unique_suffix()}@example.com"
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": first_name,
			"last_name": last_name,
			"send_welcome_email": 0,
			"user_type": "System User",
			"roles": [{"role": role} for role in ([roles] if isinstance(roles, str) else roles)],
			**values,
		}
	)
	user.flags.no_welcome_mail = True
	user.insert(ignore_permissions=True)
	frappe.utils.password.update_password(email, PASSWORD)
	return email


def remove_desk_user(email: str) -> None:
	"""The user and the traces of their sessions (logins), committed."""
	import frappe

	frappe.db.rollback()
	frappe.db.delete("Activity Log", {"owner": email})
	frappe.delete_doc("User", email, ignore_permissions=True, force=True)
	frappe.db.commit()
