# Copyright (c) 2026, cims_app contributors
# For license information, please see license.txt
"""What each campaign of a period brought: reach, attendance, high intent, conversions, follow-ups,
opportunities and won revenue against its budget (ROI = revenue / budget, SPEC §7)."""

import frappe
from frappe.query_builder.functions import Count

from cims_app.cims_app.report.cims_report import (
	CIMSReport,
	chart,
	column,
	count_when,
	drill,
	label_of,
	money,
	permitted,
	series,
	sum_when,
	summary,
	total_row,
)
from cims_app.domain.report_metrics import conversion_rate, cost_per_acquisition, rate, return_on_investment

CAMPAIGN, MEMBER, FOLLOW_UP, OPPORTUNITY = (
	"CIMS Campaign",
	"CIMS Campaign Member",
	"CIMS Follow-Up",
	"CIMS Opportunity",
)
# A member who registered may have come (Attended) or not (No-Show).
REGISTERED = ("Registered", "Attended", "No-Show")
# Filters on the campaign's own fields.
CAMPAIGN_FILTERS = ("campaign_type", "format", "status", "owner_user")


class CampaignEffectiveness(CIMSReport):
	def __init__(self, filters=None):
		super().__init__(filters)
		self.set_period()

	def get_campaigns(self):
		campaign = frappe.qb.DocType(CAMPAIGN)
		query = (
			frappe.qb.from_(campaign)
			.select(
				campaign.name,
				campaign.campaign_name,
				campaign.campaign_type,
				campaign.format,
				campaign.status,
				campaign.start_datetime,
				campaign.total_budget,
			)
			.where(campaign.start_datetime[self.start : self.end])
			.where(self.matching(campaign, CAMPAIGN_FILTERS))
			.orderby(campaign.start_datetime, order=frappe.qb.desc)
		)
		if self.filters.get("campaign"):
			query = query.where(campaign.name == self.filters.campaign)
		return permitted(query, CAMPAIGN).run(as_dict=True)

	def by_campaign(self, doctype, names, measures):
		"""{campaign: row of `measures`} of the campaigns' members, follow-ups or opportunities (the report has
		no customer filters: a campaign reaches every customer it invited)."""
		table = frappe.qb.DocType(doctype)
		return self.grouped(
			table, doctype, table.campaign, measures(table), table.campaign.isin(names), customer_filters={}
		)

	def get_data(self):
		campaigns = self.get_campaigns()
		if not campaigns:
			return []
		names = [row.name for row in campaigns]

		members = self.by_campaign(
			MEMBER,
			names,
			lambda m: [
				Count("*").as_("invited"),
				count_when(m.status.isin(REGISTERED)).as_("registered"),
				count_when(m.status == "Attended").as_("attended"),
				count_when(m.high_intent == 1).as_("high_intent"),
				count_when(m.converted == 1).as_("converted"),
			],
		)
		follow_ups = self.by_campaign(FOLLOW_UP, names, lambda f: [Count("*").as_("follow_ups")])
		opportunities = self.by_campaign(
			OPPORTUNITY,
			names,
			lambda o: [
				Count("*").as_("opportunities"),
				count_when(o.status == "Won").as_("won_deals"),
				sum_when(o.status == "Won", o.won_amount).as_("revenue"),
			],
		)

		data = []
		for campaign in campaigns:
			member = members.get(campaign.name) or frappe._dict()
			opportunity = opportunities.get(campaign.name) or frappe._dict()
			budget, revenue = money(campaign.total_budget), money(opportunity.get("revenue"))
			attended, converted = int(member.get("attended") or 0), int(member.get("converted") or 0)
			invited = int(member.get("invited") or 0)
			data.append(
				{
					"campaign": campaign.name,
					"campaign_name": campaign.campaign_name,
					"campaign_type": label_of(campaign.campaign_type, translate=True),
					"format": label_of(campaign.format, translate=True),
					"status": label_of(campaign.status, translate=True),
					"start_date": campaign.start_datetime.date() if campaign.start_datetime else None,
					"budget": budget,
					"invited": invited,
					"registered": int(member.get("registered") or 0),
					"attended": attended,
					"attendance_rate": rate(attended, invited),
					"high_intent": int(member.get("high_intent") or 0),
					"converted": converted,
					"conversion_rate": conversion_rate(converted, attended),
					"follow_ups": (follow_ups.get(campaign.name) or frappe._dict()).get("follow_ups") or 0,
					"opportunities": opportunity.get("opportunities") or 0,
					"won_deals": int(opportunity.get("won_deals") or 0),
					"revenue": revenue,
					"roi": return_on_investment(revenue, budget),
					"cost_per_attendee": cost_per_acquisition(budget, attended),
					"cost_per_conversion": cost_per_acquisition(budget, converted),
					"drill": {
						"invited": drill(MEMBER, campaign=campaign.name),
						"attended": drill(MEMBER, campaign=campaign.name, status="Attended"),
						"high_intent": drill(MEMBER, campaign=campaign.name, high_intent=1),
						"converted": drill(MEMBER, campaign=campaign.name, converted=1),
						"follow_ups": drill(FOLLOW_UP, campaign=campaign.name),
						"opportunities": drill(OPPORTUNITY, campaign=campaign.name),
						"won_deals": drill(OPPORTUNITY, campaign=campaign.name, status="Won"),
					},
				}
			)
		return data

	def get_columns(self):
		return [
			column("Campaign", "campaign", "Link", CAMPAIGN, 140),
			column("Campaign Name", "campaign_name", "Data", width=180),
			column("Campaign Type", "campaign_type", "Data", width=100),
			column("Format", "format", "Data", width=100),
			column("Status", "status", "Data", width=90),
			column("Start Date", "start_date", "Date", width=100),
			column("Budget", "budget", "Currency", width=120),
			column("Invited", "invited", "Int", width=80),
			column("Registered", "registered", "Int", width=90),
			column("Attended", "attended", "Int", width=90),
			column("Attendance Rate", "attendance_rate", "Percent", width=120),
			column("High Intent", "high_intent", "Int", width=90),
			column("Converted", "converted", "Int", width=90),
			column("Conversion Rate", "conversion_rate", "Percent", width=120),
			column("Follow-Ups", "follow_ups", "Int", width=90),
			column("Opportunities", "opportunities", "Int", width=100),
			column("Won Deals", "won_deals", "Int", width=90),
			column("Revenue", "revenue", "Currency", width=130),
			column("ROI", "roi", "Float", width=80),
			column("Cost per Attendee", "cost_per_attendee", "Currency", width=130),
			column("Cost per Conversion", "cost_per_conversion", "Currency", width=140),
		]

	def get_total(self, data, columns):
		sums = {
			key: sum(row[key] for row in data)
			for key in ("budget", "invited", "attended", "converted", "revenue")
		}
		return total_row(
			data,
			columns,
			"campaign",
			attendance_rate=rate(sums["attended"], sums["invited"]),
			conversion_rate=conversion_rate(sums["converted"], sums["attended"]),
			roi=return_on_investment(sums["revenue"], sums["budget"]),
			cost_per_attendee=cost_per_acquisition(sums["budget"], sums["attended"]),
			cost_per_conversion=cost_per_acquisition(sums["budget"], sums["converted"]),
		)

	def get_chart(self, data):
		top = sorted(data, key=lambda row: row["revenue"], reverse=True)
		return chart(
			[row["campaign_name"] or row["campaign"] for row in top],
			[
				series("Budget", top, "budget"),
				series("Revenue", top, "revenue"),
			],
			kind="bar",
			fieldtype="Currency",
		)

	def get_summary(self, data, total):
		return [
			summary("Campaigns", len(data)),
			summary("Budget", total["budget"], "Currency"),
			summary("Revenue", total["revenue"], "Currency", "Green"),
			summary("ROI", total["roi"], "Float", "Blue"),
			summary("Conversion Rate", total["conversion_rate"], "Percent"),
		]


execute = CampaignEffectiveness.execute
