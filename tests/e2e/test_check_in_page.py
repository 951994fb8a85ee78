"""Checking guests in at the door from a phone: the 签到 Desk page in real Chromium at 390 px, in Chinese.

A marketer opens the page, picks the campaign, types a guest's code when the camera fails (checked in, then
already checked in, then an unknown code), and starts the camera: Chromium's fake camera plays a video of
another guest's QR code, which the framework's scanner reads and checks in without a tap.
"""

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS, SKIP_REASON

if SKIP_REASON:
	pytest.skip(SKIP_REASON, allow_module_level=True)

import frappe
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from cims_app.campaigns.invitations import check_in_url, qr_code_png
from tests.e2e.desk import PASSWORD, Desk, make_desk_user, remove_desk_user
from tests.integration.campaign_support import committed_campaign

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 390, 844


@pytest.fixture()
def marketer(setup_wizard_done):
	"""A CIMS Marketing user whose Desk is in Chinese (committed: the web server must see it)."""
	email = make_desk_user(
		"checkin", "CIMS Marketing", "李", "市场", language="zh", time_zone=frappe.utils.get_system_timezone()
	)
	frappe.db.commit()
	yield email
	remove_desk_user(email)


def qr_video(url: str, path: Path, width: int = 640, height: int = 480, frames: int = 10) -> Path:
	"""A Y4M video (what Chromium's fake camera plays) of the QR code of `url` on a white page."""
	import io

	from PIL import Image

	code = Image.open(io.BytesIO(qr_code_png(url, scale=4))).convert("L")
	side = min(code.size[0], height - 80)
	page = Image.new("L", (width, height), 255)
	page.paste(code.resize((side, side), Image.NEAREST), ((width - side) // 2, (height - side) // 2))
	luma = page.tobytes()
	chroma = bytes([128]) * (width // 2 * height // 2)
	with path.open("wb") as video:
		video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
		for _frame in range(frames):
			video.write(b"FRAME\n" + luma + chroma + chroma)
	return path


def _statuses(desk: Desk, member: str) -> list[str]:
	"""What the page shows for a guest's scans, newest first (the camera reads a code again and again)."""
	return desk.visible_texts(f".cims-check-in-row[data-member='{member}'] .cims-check-in-status")


def test_marketer_checks_guests_in_by_hand_and_by_camera_on_a_phone(browser, desk_url, marketer, tmp_path):
	with committed_campaign(3) as (campaign, members):
		typed, filmed, _other = members.values()
		video = qr_video(check_in_url(filmed.check_in_token), tmp_path / "qr.y4m")
		driver = browser(
			WIDTH,
			HEIGHT,
			mobile=True,
			flags=(
				"--use-fake-ui-for-media-stream",
				"--use-fake-device-for-media-stream",
				f"--use-file-for-fake-video-capture={video}",
				f"--unsafely-treat-insecure-origin-as-secure={desk_url}",
			),
		)
		desk = Desk(driver, desk_url, SCREENSHOTS, "phone-check-in")
		desk.login(marketer, PASSWORD)
		desk.open("cims-check-in")
		desk.wait_for(
			lambda d: d.execute_script(
				"const s = document.querySelector('.page-form [data-fieldname=campaign] select');"
				" return s && Array.from(s.options).some(o => o.value === arguments[0]);",
				campaign.name,
			),
			"the campaign among those open for check-in",
		)
		assert desk.visible_texts(".page-head .title-text") == ["签到"]
		desk.choose("campaign", campaign.name, scope=".page-form")

		field = driver.find_element(By.CSS_SELECTOR, ".cims-check-in-manual input")
		for code in (typed.check_in_token, typed.check_in_token, "not-a-code"):
			field.send_keys(code, Keys.ENTER)
			desk.wait_idle()
		desk.wait_for(lambda d: len(desk.visible_texts(".cims-check-in-row")) == 3, "three scan results")
		statuses = desk.visible_texts(".cims-check-in-row .cims-check-in-status")
		assert statuses[0] == "无效的签到码"
		assert re.fullmatch(r"已签到过（\d\d:\d\d）", statuses[1]), statuses
		assert re.fullmatch(r"已签到（\d\d:\d\d）", statuses[2]), statuses
		guest = frappe.db.get_value("CIMS Customer", typed.customer, "customer_name")
		assert guest in desk.visible_texts(
			f".cims-check-in-row[data-member='{typed.name}'] .cims-check-in-name"
		)

		desk.click_button("打开摄像头")
		desk.wait_for(
			lambda d: d.execute_script(
				"const p = document.querySelector('.cims-check-in');"
				" return p.dataset.camera === 'scanning' && !!p.querySelector('.cims-check-in-camera video');"
			),
			"the framework's scanner to run the camera",
		)
		desk.wait_for(
			lambda d: any(text.startswith("已签到（") for text in _statuses(desk, filmed.name)),
			"the filmed guest's QR code to be read and checked in",
			timeout=60,
		)
		assert desk.js("return document.documentElement.scrollWidth") <= WIDTH, "nothing wider than the phone"
		desk.screenshot("scanning")
		desk.click_button("关闭摄像头")
		assert desk.severe_console_errors() == []

		frappe.db.rollback()
		attended = frappe.get_all(
			"CIMS Campaign Member", {"campaign": campaign.name, "status": "Attended"}, pluck="name"
		)
		assert sorted(attended) == sorted([typed.name, filmed.name])
