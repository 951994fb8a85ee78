"""bench commands of cims_app: `bench --site SITE cims-demo …` builds (or clears) a demo data set in bulk."""

import click
import frappe
from frappe.commands import pass_context
from frappe.exceptions import SiteNotSpecifiedError


def _(message: str) -> str:
	"""frappe._ once a site is connected; before that (bench builds help texts without a site) the English
	text, which is what frappe._ gives then too, minus its "Unable to load translations" log entry."""
	return frappe._(message) if getattr(frappe.local, "site", None) else message


@click.command(
	"cims-demo",
	help=_(
		"Generate realistic demo data (customers, contacts, follow-ups, opportunities, campaigns) in bulk, or clear it."
	),
)
@click.option(
	"--customers", type=click.IntRange(min=0), default=1000, show_default=True, help=_("Customers to create")
)
@click.option(
	"--contacts-per-customer",
	type=click.FloatRange(min=0),
	default=1.5,
	show_default=True,
	help=_("Average number of contacts per customer"),
)
@click.option(
	"--follow-ups", type=click.IntRange(min=0), help=_("Follow-ups to create [default: 10 per customer]")
)
@click.option(
	"--opportunities", type=click.IntRange(min=0), help=_("Opportunities to create [default: 2 per customer]")
)
@click.option(
	"--campaigns", type=click.IntRange(min=0), default=20, show_default=True, help=_("Campaigns to create")
)
@click.option(
	"--members", type=click.IntRange(min=0), help=_("Campaign members to create [default: 2 per customer]")
)
@click.option(
	"--users",
	type=click.IntRange(min=0),
	default=10,
	show_default=True,
	help=_(
		"Demo sales reps (rep01@demo.cims.local …), created when missing, with 2 sales managers and 2 teams"
	),
)
@click.option(
	"--seed",
	type=int,
	default=42,
	show_default=True,
	help=_("Random seed (the same seed gives the same data)"),
)
@click.option(
	"--months",
	type=click.IntRange(min=1),
	default=36,
	show_default=True,
	help=_("Spread creation dates over this many months"),
)
@click.option(
	"--batch-size",
	type=click.IntRange(min=1),
	default=5000,
	show_default=True,
	help=_("Customers generated and committed per batch"),
)
@click.option(
	"--password",
	help=_(
		"Log-in password for the demo users (@demo.cims.local only); without it, users created now get a random one, printed"
	),
)
@click.option("--clear", is_flag=True, default=False, help=_("Delete all demo data instead of generating it"))
@click.option("--yes", is_flag=True, default=False, help=_("Allow --clear on a site without developer mode"))
@pass_context
def cims_demo(
	context,
	customers,
	contacts_per_customer,
	follow_ups,
	opportunities,
	campaigns,
	members,
	users,
	seed,
	months,
	batch_size,
	password,
	clear,
	yes,
):
	from cims_app.demo.clear import clear_demo_data
	from cims_app.demo.generator import DemoGenerator, DemoOptions

	if not context.sites:
		raise SiteNotSpecifiedError
	for site in context.sites:
		frappe.init(site=site)
		frappe.connect()
		try:
			frappe.local.lang = frappe.db.get_default("lang") or "en"
			if clear:
				if not frappe.conf.developer_mode and not yes:
					click.secho(
						_("{0} is not in developer mode: add --yes to delete its demo data anyway").format(
							site
						),
						fg="red",
					)
					raise SystemExit(1)
				click.echo(_("Clearing demo data on {0}").format(site))
				clear_demo_data(log=click.echo)
				continue
			options = DemoOptions(
				customers=customers,
				contacts_per_customer=contacts_per_customer,
				follow_ups=follow_ups,
				opportunities=opportunities,
				campaigns=campaigns,
				members=members,
				users=users,
				seed=seed,
				months=months,
				batch_size=batch_size,
				password=password,
			)
			click.echo(
				_(
					"Generating demo data on {0}: {1} customers, {2} follow-ups, {3} opportunities, {4} campaigns, {5} members"
				).format(
					site,
					options.customers,
					options.follow_ups,
					options.opportunities,
					options.campaigns,
					options.members,
				)
			)
			DemoGenerator(options, log=click.echo).run()
		finally:
			frappe.destroy()


commands = [cims_demo]

# Excel import from the shell (cims_app.imports.cli).
from cims_app.imports.cli import cims_import

commands.append(cims_import)
