"""Benchmark of the Excel import (SPEC §9): 100,000 customer rows with contacts, and the framework's own
Data Import on the same rows, measured in one run on the same machine.

	cd /work/main && /opt/cims-bench/env/bin/python benchmarks/import_customers.py \\
		--bench /opt/cims-bench --site cims-bench5.localhost --rows 100000 --small 10000 --framework-rows 2000

Each import runs in its own process (so its peak RSS is its own) against the given site, which should be
a throwaway site: the benchmark commits what it imports. Steps:
1. generate the rows (deterministic, realistic Chinese companies, valid credit codes, unique mobiles) and
   write them as .xlsx files with shared strings, as Excel saves them: the small and the large file for
   cims_app, and the first --framework-rows rows in the framework's Data Import format (English labels
   and option values, customer fields only: its Data Import cannot create a customer's contact from the
   same row, so it does strictly less work per row than cims_app);
2. cims_app's import of the small file, then of the large file (CIMS Import Batch, ImportRun, the code
   the background job runs), each on an empty site: wall time, rows per second, peak RSS and the
   resident memory after every chunk. The file is attached to the batch in a process of its own (as
   Desk's upload happens in the web process, not in the job's worker);
3. with --with-automation, the small file again on an empty site that has an admin's automation for
   customers (a Server Script on CIMS Customer adding a comment), once for each event of
   --automation-events: "After Insert" (the rows are written in bulk, then the script runs on each new
   customer) and "Before Save" (it could change or refuse a record, so each customer and contact is saved
   through Document.insert); each result says how many customers got the script's comment (all of them);
4. frappe.core Data Import of the framework file (Importer.import_data, what its background job runs);
5. a summary with the speed ratio, also written as JSON next to this file (import_customers.last.json).

	--with-automation: also step 3 (ours_small_with_<event> in the JSON, e.g. ours_small_with_after_insert)
	CIMS_PROFILE=/tmp/import.pstats: cProfile each of cims_app's imports into that file (the last one stays)

Growth (issue 17): an import lands in a site that already holds years of customers, named alike.
	--existing N: the site holds N customers before each import (made once by `bench --site SITE cims-demo
	  --customers …` without follow-ups, kept between the runs: only what the imports wrote is deleted);
	  the framework's Data Import then runs on that same populated site
	--alike: the file's enterprises are named alike, 上海{2-4 characters}{trade}{科技|信息技术|贸易…}有限公司,
	  with distinct credit codes, as real company names share most of their characters
Every import's JSON has its chunk-by-chunk seconds (`chunk_seconds`) and `chunk_slope` (mean of the last
five chunks over the first five): a cost per row that grows with the site shows as a slope above 1.

	/opt/cims-bench/env/bin/python benchmarks/import_customers.py --bench /opt/cims-bench \\
		--site imp-full.localhost --existing 100000 --alike --rows 100000 --small 10000 --framework-rows 2000
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
if str(REPO) not in sys.path:
	sys.path.insert(0, str(REPO))

HEADER = [
	"客户名称",
	"客户类型",
	"统一社会信用代码",
	"生命周期阶段",
	"意向等级",
	"行业",
	"地区",
	"企业规模",
	"客户类别",
	"客户来源",
	"联系人",
	"手机",
	"邮箱",
	"联系人角色",
	"微信",
	"首次接触日期",
	"合同金额(万元)",
	"核心需求",
	"注册地址",
	"备注",
]
FRAMEWORK_HEADER = [
	"Customer Name",
	"Customer Type",
	"Unified Social Credit Code",
	"Lifecycle Stage",
	"Intent Level",
	"Industry",
	"Region",
	"Customer Size",
	"Customer Category",
	"Customer Source",
	"Mobile No",
	"Email",
	"First Contact Date",
	"Contract Amount",
	"Core Need",
	"Registered Address",
	"Remarks",
]
CITIES = [
	"北京",
	"上海",
	"广州",
	"深圳",
	"杭州",
	"南京",
	"苏州",
	"成都",
	"武汉",
	"西安",
	"天津",
	"重庆",
	"长沙",
	"青岛",
	"厦门",
]
BRAND_CHARS = (
	"华瑞嘉鑫源泰隆盛宏达恒通远辰星耀凯博创新智联科信安诚德润丰禾荣昌汇成祥和锦程万家鼎峰明朗"
	"旭晨阳光启航腾飞卓越优品睿思蓝海银河天宇金石云帆若水青松翠柏长虹宝光聚力合众同心正道"
)
TRADES = [
	"科技",
	"信息技术",
	"电子",
	"机械",
	"贸易",
	"物流",
	"医药",
	"食品",
	"建材",
	"化工",
	"软件",
	"环保",
	"能源",
	"教育",
]
SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
STAGES = [("潜在客户", "Potential Customer"), ("意向客户", "Intent Customer"), ("线索", "Potential Customer")]
INTENTS = [("A-高", "A - High"), ("B-中", "B - Medium"), ("C-低", "C - Low"), ("", "")]
SIZES = [("50人以下", "<50"), ("50-200人", "50-200"), ("200-500", "200-500"), ("500人以上", ">500")]
CATEGORIES = [("终端客户", "End Customer"), ("经销商", "Distributor"), ("合作伙伴", "Partner")]
ROLES = ["决策者", "影响者", "使用者", "财务"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰志红"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(rng: random.Random) -> str:
	from cims_app.domain.identifiers import uscc_check_char

	body = (
		"91"
		+ "".join(rng.choice("0123456789") for _ in range(6))
		+ "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
	)
	return body + uscc_check_char(body)


ALIKE_KINDS = ["科技", "信息技术", "贸易", "实业", "发展", "咨询", "网络科技", "电子商务"]


def alike_name(rng: random.Random) -> tuple[str, str]:
	"""(city, name) of an enterprise named as thousands of others are: 上海 + 2-4 characters + a trade + a
	kind of business + 有限公司 (上海华瑞电子科技有限公司, 上海鑫源泰物流贸易有限公司)."""
	brand = "".join(rng.sample(BRAND_CHARS, rng.choice((2, 2, 3, 4))))
	return "上海", f"上海{brand}{rng.choice(TRADES)}{rng.choice(ALIKE_KINDS)}有限公司"


def make_rows(count: int, masters: dict, seed: int = 5, alike: bool = False) -> list[dict]:
	"""`count` distinct customers with a contact each (unique names, credit codes and mobiles); with
	`alike`, every name is 上海…有限公司 (see alike_name)."""
	rng = random.Random(seed)
	names, codes, mobiles = set(), set(), set()
	rows = []
	while len(rows) < count:
		if alike:
			city, name = alike_name(rng)
		else:
			city = rng.choice(CITIES)
			brand = "".join(rng.sample(BRAND_CHARS, rng.choice((2, 2, 3))))
			name = f"{city}{brand}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}"
		if name in names:
			continue
		code = uscc(rng)
		mobile = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
		if code in codes or mobile in mobiles:
			continue
		names.add(name)
		codes.add(code)
		mobiles.add(mobile)
		stage = rng.choice(STAGES)
		intent = rng.choice(INTENTS)
		size = rng.choice(SIZES)
		category = rng.choice(CATEGORIES)
		person = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
		rows.append(
			{
				"name": name,
				"type": ("企业", "Enterprise"),
				"uscc": code,
				"stage": stage,
				"intent": intent,
				"industry": rng.choice(masters["industry"]),
				"region": rng.choice(masters["region"]),
				"size": size,
				"category": category,
				"source": rng.choice(masters["source"]),
				"contact": person,
				"mobile": mobile,
				"email": f"user{len(rows)}@example.com",
				"role": rng.choice(ROLES),
				"wechat": f"wx{mobile[-8:]}",
				"first_contact": datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(700)),
				"amount_wan": rng.choice((None, 5, 12.5, 30, 80, 150)),
				"need": rng.choice(("生产排程系统升级", "仓储管理改造", "数据中台建设", "渠道分销合作", "")),
				"address": f"{city}市某区某路{rng.randrange(1, 999)}号",
				"remarks": rng.choice(("", "展会认识", "老客户介绍", "官网留资")),
			}
		)
	return rows


def ours(row: dict) -> list:
	return [
		row["name"],
		row["type"][0],
		row["uscc"],
		row["stage"][0],
		row["intent"][0],
		row["industry"],
		row["region"],
		row["size"][0],
		row["category"][0],
		row["source"],
		row["contact"],
		row["mobile"],
		row["email"],
		row["role"],
		row["wechat"],
		row["first_contact"],
		row["amount_wan"],
		row["need"],
		row["address"],
		row["remarks"],
	]


def framework(row: dict) -> list:
	return [
		row["name"],
		row["type"][1],
		row["uscc"],
		row["stage"][1],
		row["intent"][1],
		row["industry"],
		row["region"],
		row["size"][1],
		row["category"][1],
		row["source"],
		row["mobile"],
		row["email"],
		row["first_contact"],
		(row["amount_wan"] or 0) * 10000,
		row["need"],
		row["address"],
		row["remarks"],
	]


# A minimal .xlsx writer with shared strings and a date style, the way Excel saves a sheet ------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_EPOCH = datetime.date(1899, 12, 30)


def _column(index: int) -> str:
	letters = ""
	index += 1
	while index:
		index, rest = divmod(index - 1, 26)
		letters = chr(65 + rest) + letters
	return letters


def write_xlsx(path: Path, sheet_name: str, header: list, rows) -> None:
	strings: dict[str, int] = {}

	def shared(text: str) -> int:
		if text not in strings:
			strings[text] = len(strings)
		return strings[text]

	letters = [_column(index) for index in range(len(header))]
	parts = [f'<worksheet xmlns="{_MAIN}"><sheetData>']
	for number, values in enumerate([header, *rows], start=1):
		cells = []
		for letter, value in zip(letters, values, strict=False):
			ref = f"{letter}{number}"
			if value is None or value == "":
				continue
			if isinstance(value, datetime.date):
				cells.append(f'<c r="{ref}" s="1"><v>{(value - _EPOCH).days}</v></c>')
			elif isinstance(value, int | float):
				cells.append(f'<c r="{ref}"><v>{value}</v></c>')
			else:
				cells.append(f'<c r="{ref}" t="s"><v>{shared(str(value))}</v></c>')
		parts.append(f'<row r="{number}">{"".join(cells)}</row>')
	parts.append("</sheetData></worksheet>")
	sst = [f'<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">']
	sst.extend(f"<si><t>{escape(text)}</t></si>" for text in strings)
	sst.append("</sst>")
	head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
	with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
		archive.writestr(
			"[Content_Types].xml",
			head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
			'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
			'<Default Extension="xml" ContentType="application/xml"/>'
			'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
			'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
			'<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
			'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
			"</Types>",
		)
		archive.writestr(
			"_rels/.rels",
			head + f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
			f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
		)
		archive.writestr(
			"xl/workbook.xml",
			head + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
			f'<sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>',
		)
		archive.writestr(
			"xl/_rels/workbook.xml.rels",
			head + f'<Relationships xmlns="{_PKG}">'
			f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
			f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
			f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
			"</Relationships>",
		)
		archive.writestr(
			"xl/styles.xml",
			head
			+ f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
			'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
			'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
			'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
			'<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
			'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
			'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
		)
		archive.writestr("xl/sharedStrings.xml", head + "".join(sst))
		archive.writestr("xl/worksheets/sheet1.xml", head + "".join(parts))


# Workers: each import in its own process ---------------------------------------------------------------


def _connect(bench: str, site: str):
	os.chdir(Path(bench) / "sites")
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	return frappe


def _rss_mb(field: str = "VmHWM:") -> float:
	"""Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited across exec), or
	another line of /proc/self/status (VmRSS: the resident memory now)."""
	with open("/proc/self/status") as status:
		for line in status:
			if line.startswith(field):
				return int(line.split()[1]) / 1024
	return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def python_loop_seconds() -> float:
	"""Seconds of a fixed pure-Python loop (best of three): the same machine runs this 10-30 % faster or
	slower from one hour to the next, so results of different runs are compared together with it."""
	best = float("inf")
	for _ in range(3):
		started = time.perf_counter()
		total = 0
		for number in range(10_000_000):
			total += number
		best = min(best, time.perf_counter() - started)
	return round(best, 3)


def _trace_points(trace: list[tuple[int, float]], points: int = 10) -> dict[str, float]:
	"""Resident memory after the first chunk and about every tenth of the rows: {rows done: MB}."""
	if not trace:
		return {}
	step = max(1, len(trace) // points)
	chosen = trace[step - 1 :: step]
	if chosen[0] != trace[0]:
		chosen.insert(0, trace[0])
	if chosen[-1] != trace[-1]:
		chosen.append(trace[-1])
	return {str(done): round(mb, 1) for done, mb in chosen}


def chunk_slope(seconds: list[float], edge: int = 5) -> float | None:
	"""Mean time of the last `edge` chunks over that of the first `edge` (the very first chunk, which
	also warms the caches and loads the site's names, and the last, often short, left out): 1.0 is a cost
	per row that does not grow as the run fills the site."""
	middle = seconds[1:-1]
	if len(middle) < 2 * edge:
		return None
	first, last = middle[:edge], middle[-edge:]
	return round((sum(last) / edge) / max(sum(first) / edge, 1e-6), 2)


def worker_masters(bench: str, site: str) -> dict:
	frappe = _connect(bench, site)
	masters = {
		"industry": frappe.get_all("CIMS Industry", filters={"is_group": 0}, pluck="name"),
		"region": frappe.get_all("CIMS Region", filters={"is_group": 0}, pluck="name"),
		"source": frappe.get_all("CIMS Customer Source", pluck="name"),
	}
	frappe.destroy()
	return masters


def _clear_imported(frappe) -> None:
	"""Delete what the imports and the framework's Data Import wrote, keep the site's own customers (those
	cims-demo made for --existing, data source "cims-demo") with their contacts."""
	from cims_app.demo import DEMO_DATA_SOURCE

	sql = frappe.db.sql
	sql("DELETE FROM `tabCIMS Customer` WHERE data_source IS NULL OR data_source != %s", (DEMO_DATA_SOURCE,))
	# Contacts whose customer is gone, then the rows hanging off what is gone.
	sql(
		"""DELETE c FROM `tabContact` c JOIN `tabDynamic Link` dl ON dl.parent = c.name
		AND dl.parenttype = 'Contact' AND dl.link_doctype = 'CIMS Customer'
		LEFT JOIN `tabCIMS Customer` cu ON cu.name = dl.link_name WHERE cu.name IS NULL"""
	)
	for table in ("Contact Phone", "Contact Email", "Dynamic Link"):
		sql(
			f"""DELETE t FROM `tab{table}` t LEFT JOIN `tabContact` c ON c.name = t.parent
			WHERE t.parenttype = 'Contact' AND c.name IS NULL"""
		)
	for doctype, table in (("CIMS Customer", "tabCIMS Customer"), ("Contact", "tabContact")):
		sql(
			f"""DELETE v FROM `tabVersion` v LEFT JOIN `{table}` t ON t.name = v.docname
			WHERE v.ref_doctype = %s AND t.name IS NULL""",
			(doctype,),
		)
		sql(
			f"""DELETE g FROM `__global_search` g LEFT JOIN `{table}` t ON t.name = g.name
			WHERE g.doctype = %s AND t.name IS NULL""",
			(doctype,),
		)
	for table in ("CIMS Import Row", "CIMS Import Batch", "Data Import", "Data Import Log"):
		sql(f"DELETE FROM `tab{table}`")
	frappe.db.commit()


def worker_fill(bench: str, site: str, existing: int) -> dict:
	"""Make the site hold `existing` customers of cims-demo (realistic names, 1.5 contacts each, no
	follow-ups), adding what is missing; time it."""
	frappe = _connect(bench, site)
	from cims_app.demo import DEMO_DATA_SOURCE

	_clear_imported(frappe)
	have = frappe.db.count("CIMS Customer", {"data_source": DEMO_DATA_SOURCE})
	frappe.destroy()
	seconds = 0.0
	if have < existing:
		started = time.perf_counter()
		command = [
			str(Path(bench) / "env" / "bin" / "bench"),
			"--site",
			site,
			"cims-demo",
			"--customers",
			str(existing - have),
			"--follow-ups",
			"0",
			"--opportunities",
			"0",
			"--members",
			"0",
			"--campaigns",
			"0",
			"--seed",
			str(have + 1),
		]
		subprocess.run(command, cwd=bench, check=True, capture_output=True)
		seconds = time.perf_counter() - started
	return {"existing_before": have, "existing": max(have, existing), "fill_seconds": round(seconds, 1)}


def _clear_customers(frappe) -> None:
	"""Empty the throwaway site's customers, contacts and import ledgers (between the measured runs)."""
	for table in (
		"CIMS Customer",
		"Contact",
		"Contact Phone",
		"Contact Email",
		"Dynamic Link",
		"Version",
		"CIMS Import Row",
		"CIMS Import Batch",
		"CIMS Stage Change",
		"CIMS Follow-Up",
		"Data Import",
		"Data Import Log",
	):
		frappe.db.sql(f"DELETE FROM `tab{table}`")
	frappe.db.sql("DELETE FROM `__global_search` WHERE doctype IN ('CIMS Customer', 'Contact')")
	frappe.db.commit()


def _clear(frappe, keep_existing: bool) -> None:
	_clear_imported(frappe) if keep_existing else _clear_customers(frappe)


def worker_upload(bench: str, site: str, path: str, keep_existing: bool = False) -> dict:
	"""Empty the site and attach `path` to a new CIMS Import Batch, as the upload in Desk does (in the web
	process: the import's own process starts with the batch, as the background job does)."""
	frappe = _connect(bench, site)
	from frappe.utils.file_manager import save_file

	_clear(frappe, keep_existing)
	batch = frappe.get_doc(
		{
			"doctype": "CIMS Import Batch",
			"import_doctype": "CIMS Customer",
			"import_type": "Insert",
			"amounts_in_wan": 0,
		}
	)
	batch.flags.ignore_mandatory = True
	batch.insert()
	# The framework refuses uploads over the site's max_file_size (10 MB by default; the 100,000-row file is
	# about 12 MB): a site that imports such files raises it, as `bench set-config max_file_size` does.
	frappe.local.conf.max_file_size = max(frappe.local.conf.get("max_file_size") or 0, 64 * 1024 * 1024)
	with open(path, "rb") as handle:
		file_doc = save_file(os.path.basename(path), handle.read(), batch.doctype, batch.name, is_private=1)
	batch.db_set("import_file", file_doc.file_url)
	frappe.db.commit()
	frappe.destroy()
	return {"batch": batch.name}


AUTOMATION_COMMENT = "benchmark automation ran"


def add_automation(frappe, event: str = "After Insert") -> str:
	"""An admin's Server Script on CIMS Customer (After Insert: a comment on the customer; Before Save: its
	remarks set), as a site with `server_script_enabled` runs it: enabled for this process only, so that no
	other site of the bench starts running server scripts."""
	from frappe.utils import safe_exec

	safe_exec.is_safe_exec_enabled = lambda: True
	name = "cims-benchmark-after-insert"
	if frappe.db.exists("Server Script", name):
		frappe.delete_doc("Server Script", name, force=True)
	frappe.get_doc(
		{
			"doctype": "Server Script",
			"name": name,
			"script_type": "DocType Event",
			"reference_doctype": "CIMS Customer",
			"doctype_event": event,
			"script": f'doc.add_comment("Comment", "{AUTOMATION_COMMENT}")'
			if event.startswith("After")
			else f'doc.remarks = "{AUTOMATION_COMMENT}"',
		}
	).insert()
	frappe.db.commit()
	return name


def worker_ours(bench: str, site: str, batch_name: str, automation: str | None = None) -> dict:
	frappe = _connect(bench, site)
	from cims_app.imports.engine import ImportRun

	script = add_automation(frappe, automation) if automation else None

	rss_before = _rss_mb()
	site_customers = frappe.db.count("CIMS Customer")
	trace = []
	chunk_ends = []

	def sample(done: int, total: int, counts: dict) -> None:
		# resident memory after each chunk: flat memory means this stops growing once the run is going
		trace.append((done, _rss_mb("VmRSS:")))
		chunk_ends.append(time.perf_counter())

	started = time.perf_counter()
	run = ImportRun(batch_name, progress=sample)
	if profile := os.environ.get("CIMS_PROFILE"):  # where the time goes: a pstats file of the run
		import cProfile

		with cProfile.Profile() as profiler:
			result = run.run()
		profiler.dump_stats(profile)
	else:
		result = run.run()
	seconds = time.perf_counter() - started
	chunk_seconds = [
		round(end - begin, 3) for begin, end in zip([started, *chunk_ends], chunk_ends, strict=False)
	]
	counts = {
		"site_customers_before": site_customers,
		"customers": frappe.db.count("CIMS Customer"),
		"contacts": frappe.db.count("Contact"),
		"versions": frappe.db.count("Version", {"ref_doctype": "CIMS Customer"}),
	}
	if script:
		counts["automation"] = f"Server Script {script} ({automation} on CIMS Customer)"
		counts["customers_the_automation_ran_for"] = frappe.db.count(
			"Comment", {"reference_doctype": "CIMS Customer", "content": AUTOMATION_COMMENT}
		) + frappe.db.count("CIMS Customer", {"remarks": AUTOMATION_COMMENT})
		frappe.delete_doc("Server Script", script, force=True)
		frappe.db.delete("Comment", {"reference_doctype": "CIMS Customer", "content": AUTOMATION_COMMENT})
		frappe.db.commit()
	frappe.destroy()
	return {
		"seconds": round(seconds, 2),
		"rows": result.get("rows_read"),
		"inserted": result.get("inserted"),
		"failed": result.get("failed"),
		"status": result.get("status"),
		"rows_per_second": round((result.get("rows_read") or 0) / seconds, 1),
		"phases": {phase: round(spent, 2) for phase, spent in run.timings.most_common()},
		"peak_rss_mb": round(_rss_mb(), 1),
		"rss_before_mb": round(rss_before, 1),
		"rss_after_rows_mb": _trace_points(trace),
		"chunk_seconds": chunk_seconds,
		"chunk_slope": chunk_slope(chunk_seconds),
		**counts,
	}


def worker_framework(bench: str, site: str, path: str, keep_existing: bool = False) -> dict:
	frappe = _connect(bench, site)
	from frappe.core.doctype.data_import.importer import Importer
	from frappe.utils.file_manager import save_file

	_clear(frappe, keep_existing)
	before = frappe.db.count("CIMS Customer")
	data_import = frappe.get_doc(
		{"doctype": "Data Import", "reference_doctype": "CIMS Customer", "import_type": "Insert New Records"}
	)
	data_import.flags.ignore_mandatory = True
	data_import.insert()
	with open(path, "rb") as handle:
		file_doc = save_file(
			os.path.basename(path), handle.read(), "Data Import", data_import.name, is_private=1
		)
	data_import.db_set("import_file", file_doc.file_url)
	frappe.db.commit()
	data_import.reload()
	started = time.perf_counter()
	Importer("CIMS Customer", data_import=data_import).import_data()
	seconds = time.perf_counter() - started
	frappe.db.commit()
	imported = frappe.db.count("CIMS Customer") - before
	failed = frappe.db.count("Data Import Log", {"data_import": data_import.name, "success": 0})
	warnings = frappe.db.get_value("Data Import", data_import.name, "template_warnings")
	frappe.destroy()
	return {
		"seconds": round(seconds, 2),
		"inserted": imported,
		"failed_logs": failed,
		"template_warnings": (warnings or "")[:300],
		"rows_per_second": round(imported / seconds, 1) if seconds else 0,
		"peak_rss_mb": round(_rss_mb(), 1),
	}


def run_worker(kind: str, args) -> dict:
	command = [
		sys.executable,
		str(Path(__file__).resolve()),
		"--worker",
		kind,
		"--bench",
		args.bench,
		"--site",
		args.site,
		"--file",
		args.file_for_worker,
		"--batch",
		args.batch_for_worker,
		*(
			["--automation-event", args.automation_for_worker]
			if kind == "ours" and args.automation_for_worker
			else []
		),
		"--existing",
		str(args.existing),
	]
	output = subprocess.run(command, capture_output=True, text=True, cwd=str(REPO))
	if output.returncode:
		raise SystemExit(f"{kind} worker failed:\n{output.stdout[-3000:]}\n{output.stderr[-5000:]}")
	return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--bench", default="/opt/cims-bench")
	parser.add_argument("--site", default="cims-bench5.localhost")
	parser.add_argument("--rows", type=int, default=100_000)
	parser.add_argument("--small", type=int, default=10_000)
	parser.add_argument("--framework-rows", type=int, default=2_000)
	parser.add_argument("--workdir", default="/tmp/cims-import-bench")
	parser.add_argument("--worker", choices=("ours", "upload", "framework", "masters", "fill"))
	parser.add_argument(
		"--existing",
		type=int,
		default=0,
		help="customers the site holds before each import (cims-demo fills it once; kept between runs)",
	)
	parser.add_argument(
		"--alike", action="store_true", help="a file of enterprises named alike (上海…有限公司)"
	)
	parser.add_argument("--seed", type=int, default=5, help="seed of the file's rows")
	parser.add_argument("--file")
	parser.add_argument("--batch")
	parser.add_argument(
		"--with-automation",
		action="store_true",
		help="also import the small file with a Server Script on CIMS Customer present",
	)
	parser.add_argument(
		"--automation-events",
		default="After Insert,Before Save",
		help="with --with-automation: the Server Script events to measure, comma-separated",
	)
	parser.add_argument("--automation-event", help=argparse.SUPPRESS)
	args = parser.parse_args()
	sys.path.insert(0, str(REPO))

	if args.worker:
		if args.worker == "masters":
			print(json.dumps(worker_masters(args.bench, args.site), ensure_ascii=False))
		elif args.worker == "fill":
			print(json.dumps(worker_fill(args.bench, args.site, args.existing)))
		elif args.worker == "upload":
			print(json.dumps(worker_upload(args.bench, args.site, args.file, bool(args.existing))))
		elif args.worker == "ours":
			print(json.dumps(worker_ours(args.bench, args.site, args.batch, args.automation_event)))
		else:
			print(json.dumps(worker_framework(args.bench, args.site, args.file, bool(args.existing))))
		return

	if not any(word in args.site for word in ("bench", "imp-", "growth-")):
		parser.error(
			"the benchmark deletes customers of --site: use a throwaway site named *bench*, imp-* or growth-*"
		)
	workdir = Path(args.workdir)
	workdir.mkdir(parents=True, exist_ok=True)
	args.file_for_worker = args.batch_for_worker = ""
	args.automation_for_worker = None
	masters = run_worker("masters", args)
	fill = run_worker("fill", args) if args.existing else None
	if fill:
		print("site filled:", fill)
	started = time.perf_counter()
	rows = make_rows(args.rows, masters, seed=args.seed, alike=args.alike)
	kind = "alike-" if args.alike else ""
	large = workdir / f"customers-{kind}{args.rows}.xlsx"
	small = workdir / f"customers-{kind}{args.small}.xlsx"
	framework_file = workdir / f"framework-{args.framework_rows}.xlsx"
	write_xlsx(large, "客户", HEADER, (ours(row) for row in rows))
	write_xlsx(small, "客户", HEADER, (ours(row) for row in rows[: args.small]))
	write_xlsx(
		framework_file,
		"CIMS Customer",
		FRAMEWORK_HEADER,
		(framework(row) for row in rows[: args.framework_rows]),
	)
	print(
		f"files written in {time.perf_counter() - started:.1f} s: {large} ({large.stat().st_size / 1e6:.1f} MB)"
	)

	results = {
		"machine": {
			"cpus": os.cpu_count(),
			"load_before": os.getloadavg(),
			"python_loop_seconds_before": python_loop_seconds(),
		},
		"site": args.site,
		"existing": fill,
		"alike_names": args.alike,
		"examples_of_names": [row["name"] for row in rows[:5]],
	}
	runs = [("ours_small", small, None), ("ours_large", large, None)]
	if args.with_automation:
		for number, event in enumerate(args.automation_events.split(","), 1):
			label = "ours_small_with_" + event.strip().lower().replace(" ", "_")
			runs.insert(number, (label, small, event.strip()))
	for label, path, automation in runs:
		args.file_for_worker = str(path)
		args.batch_for_worker = run_worker("upload", args)["batch"]
		args.automation_for_worker = automation
		results[label] = run_worker("ours", args)
		args.automation_for_worker = None
		print(label, results[label])
	args.file_for_worker = str(framework_file)
	results["framework"] = run_worker("framework", args)
	print("framework", results["framework"])
	results["machine"]["load_after"] = os.getloadavg()
	results["machine"]["python_loop_seconds_after"] = python_loop_seconds()
	ratio = results["ours_large"]["rows_per_second"] / max(results["framework"]["rows_per_second"], 0.001)
	results["speed_ratio"] = round(ratio, 1)
	print(
		f"\ncims_app: {results['ours_large']['rows']} rows in {results['ours_large']['seconds']} s "
		f"({results['ours_large']['rows_per_second']} rows/s, peak RSS {results['ours_large']['peak_rss_mb']} MB; "
		f"{results['ours_small']['rows']} rows: peak RSS {results['ours_small']['peak_rss_mb']} MB)\n"
		f"resident memory after rows: {results['ours_large']['rss_after_rows_mb']}\n"
		f"chunk seconds: {results['ours_large']['chunk_seconds']} (slope {results['ours_large']['chunk_slope']})\n"
		f"frappe Data Import: {results['framework']['inserted']} rows in {results['framework']['seconds']} s "
		f"({results['framework']['rows_per_second']} rows/s)\nratio: {ratio:.1f}x"
	)
	plain = results["ours_small"]
	for label, automated in results.items():
		if label.startswith("ours_small_with_"):
			print(
				f"{plain['rows']} rows without automation: {plain['seconds']} s ({plain['rows_per_second']} rows/s); "
				f"with {automated['automation']}: {automated['seconds']} s "
				f"({automated['rows_per_second']} rows/s, ran for {automated['customers_the_automation_ran_for']} customers)"
			)
	(HERE / "import_customers.last.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
	main()
