"""Campaign set-based work at SPEC §9 scale: targeting, metric refresh, bulk engagement, invitations.

Run with the bench's python against a scratch site (nothing is committed; everything is rolled back):

	CIMS_BENCH_PATH=/opt/cims-bench CIMS_TEST_SITE=SITE /opt/cims-bench/env/bin/python benchmarks/bench_campaigns.py \
		[--customers 100000] [--campaigns 2] [--invitations 200]
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

import frappe

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def timed(label: str, fn, *args, **kwargs):
	started = time.perf_counter()
	result = fn(*args, **kwargs)
	print(f"{label:<58} {time.perf_counter() - started:8.2f} s")
	return result


def seed_customers(count: int, regions: list[str]) -> None:
	now, rng = frappe.utils.now_datetime(), random.Random(9)
	intents = ["A - High", "B - Medium", "C - Low", ""]
	rows = (
		(
			f"BENCH-{i:07d}",
			now,
			now,
			"Administrator",
			"Administrator",
			f"基准客户{i:07d}有限公司",
			"Enterprise",
			"Potential Customer",
			rng.choice(intents),
			rng.choice(regions),
			f"bench{i}@example.com",
		)
		for i in range(count)
	)
	frappe.db.bulk_insert(
		"CIMS Customer",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"customer_name",
			"customer_type",
			"lifecycle_stage",
			"intent_level",
			"region",
			"email_id",
		],
		rows,
		chunk_size=5000,
	)


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--customers", type=int, default=100_000)
	parser.add_argument("--campaigns", type=int, default=2)
	parser.add_argument("--invitations", type=int, default=200)
	options = parser.parse_args()

	os.chdir(Path(os.environ["CIMS_BENCH_PATH"]) / "sites")
	frappe.init(site=os.environ["CIMS_TEST_SITE"], sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	from cims_app.campaigns import invitations as campaign_invitations
	from cims_app.campaigns import members as campaigns

	try:
		regions = frappe.get_all("CIMS Region", {"is_group": 0}, pluck="name")
		timed(
			f"seed {options.customers:,} customers (bulk insert)", seed_customers, options.customers, regions
		)
		names = []
		for i in range(options.campaigns):
			doc = frappe.get_doc(
				{
					"doctype": "CIMS Campaign",
					"campaign_name": f"基准活动{i}",
					"budget_items": [{"item": "场地", "amount": 100000}],
					"target_lifecycle_stage": "Potential Customer",
				}
			).insert()
			names.append(doc.name)
			added = timed(
				f"add_target_customers #{i + 1} (one INSERT ... SELECT)",
				campaigns.add_target_customers,
				doc.name,
			)
			print(f"{'':<4}members added: {added:,}")
		total = frappe.db.count("CIMS Campaign Member", {"campaign": ("in", names)})
		print(f"{'':<4}members in benchmark campaigns: {total:,}")

		members = frappe.get_all(
			"CIMS Campaign Member", {"campaign": names[0]}, ["name", "customer"], limit=20000
		)
		frappe.db.sql(
			"UPDATE `tabCIMS Campaign Member` SET status = 'Attended' WHERE name IN %s",
			[tuple(m.name for m in members[:20000])],
		)
		timed(f"refresh_metrics of {len(names)} campaigns", campaigns.refresh_metrics, names)
		rows = [
			{"customer": m.customer, "watch_minutes": 30 + i % 60, "interactions": i % 7}
			for i, m in enumerate(members[:5000])
		]
		timed("record_engagement, 5,000 rows", campaigns.record_engagement, names[0], rows)

		frappe.local.outgoing_email_account = {}
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "CIMS Bench",
				"email_id": "bench-events@example.com",
				"enable_outgoing": 1,
				"default_outgoing": 1,
				"smtp_server": "smtp.example.com",
				"no_smtp_authentication": 1,
			}
		).insert(ignore_permissions=True)
		started = time.perf_counter()
		result = campaign_invitations.invite_pending_members(names[1], limit=options.invitations)
		elapsed = time.perf_counter() - started
		print(
			f"{'invite_pending_members, ' + str(result['invited']) + ' emails with QR':<58} {elapsed:8.2f} s"
			f"  ({result['invited'] / elapsed:.0f} per second)"
		)
	finally:
		started = time.perf_counter()
		frappe.db.rollback()
		print(f"{'rollback':<58} {time.perf_counter() - started:8.2f} s")
		frappe.destroy()


if __name__ == "__main__":
	main()
