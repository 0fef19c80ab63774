"""Staff roles as Django groups, and the permissions each role holds.

The matrix below is the single source of truth: ``roles_sync`` makes the
groups match it after every migration, so the admin shows what the code checks.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Sells products and keeps the relationship with their customers.
    SALES_REP = "sales_rep", _("Sales representative")
    # Answers customers' questions, complaints and claims.
    SUPPORT_AGENT = "support_agent", _("Support agent")
    # Installs, maintains and repairs units on site or in the workshop.
    TECHNICIAN = "technician", _("Technician")
    # Runs the service organisation: queues, SLAs, imports, reports.
    SERVICE_MANAGER = "service_manager", _("Service manager")
    # Configures the system, users and master data.
    ADMINISTRATOR = "administrator", _("Administrator")


_VIEW_INSTALLED_BASE = [
    "customers.view_customer",
    "catalog.view_category",
    "catalog.view_product",
    "sales.view_sale",
    "sales.view_unit",
    "core.view_timelineevent",
]
_EDIT_CUSTOMERS = ["customers.add_customer", "customers.change_customer"]
_EDIT_CATALOG = [
    "catalog.add_category",
    "catalog.change_category",
    "catalog.add_product",
    "catalog.change_product",
]
_EDIT_UNITS = ["sales.change_unit"]
_RECORD_SALES = ["sales.add_sale", "sales.change_sale"]
_IMPORT = ["sales.import_sales"]
_VIEW_MESSAGES = ["messaging.view_message", "messaging.view_messagetemplate"]
_SEND_MESSAGES = ["messaging.add_message"]
_EDIT_TEMPLATES = [
    "messaging.add_messagetemplate",
    "messaging.change_messagetemplate",
    "messaging.delete_messagetemplate",
]
_VIEW_TICKETS = ["service.view_ticket", "service.note_ticket", "core.view_notification"]
_WORK_TICKETS = [
    "service.work_ticket",
    "service.add_ticket",
    "service.change_ticket",
    "service.view_cannedreply",
    "service.view_macro",
    "service.view_queue",
    "service.add_callback",
    "service.change_callback",
]
_SEE_ALL_TICKETS = ["service.view_all_tickets", "service.view_routingrule", "service.view_agentprofile"]
_CONFIGURE_SERVICE = [
    "service.configure_service",
    "service.add_queue",
    "service.change_queue",
    "service.delete_queue",
    "service.add_routingrule",
    "service.change_routingrule",
    "service.delete_routingrule",
    "service.add_cannedreply",
    "service.change_cannedreply",
    "service.delete_cannedreply",
    "service.add_macro",
    "service.change_macro",
    "service.delete_macro",
    "service.change_agentprofile",
    "service.view_webhookendpoint",
    "service.add_webhookendpoint",
    "service.change_webhookendpoint",
    "service.delete_webhookendpoint",
    "service.view_webhookdelivery",
]
_VIEW_FOLLOWUP = ["followup.view_playbook", "followup.view_playbookstep", "followup.view_touch", "followup.view_stafftask"]
_WORK_TASKS = ["followup.add_stafftask", "followup.change_stafftask"]
_EDIT_PLAYBOOKS = [
    "followup.add_playbook",
    "followup.change_playbook",
    "followup.delete_playbook",
    "followup.add_playbookstep",
    "followup.change_playbookstep",
    "followup.delete_playbookstep",
]
_MANAGE_TASKS = ["followup.manage_stafftasks"]
# Service levels: whoever sees tickets reads the targets; managers and administrators set them.
_VIEW_SERVICE_LEVELS = [
    "core.view_businesscalendar",
    "service.view_slapolicy",
    "service.view_escalationrule",
    "service.view_slaclock",
]
_CONFIGURE_SERVICE_LEVELS = [
    "core.add_businesscalendar",
    "core.change_businesscalendar",
    "core.delete_businesscalendar",
    "service.add_slapolicy",
    "service.change_slapolicy",
    "service.delete_slapolicy",
    "service.add_escalationrule",
    "service.change_escalationrule",
    "service.delete_escalationrule",
]
_CONFIGURE_MAIL = [
    "service.view_mailbox",
    "service.add_mailbox",
    "service.change_mailbox",
    "service.delete_mailbox",
    "service.view_inboundmail",
    "service.change_inboundmail",
    "service.view_outgoingmail",
]

_VIEW_WARRANTY = ["warranty.view_warrantyclaim", "warranty.view_extendedwarranty", "warranty.view_exclusion"]
_SELL_WARRANTY = ["warranty.add_extendedwarranty"]
_INSPECT_UNITS = ["warranty.add_exclusion"]
_WORK_CLAIMS = ["warranty.add_warrantyclaim", "warranty.change_warrantyclaim", "warranty.decide_warrantyclaim"]
# Field service: everyone on staff sees the visits; reps lead delivery visits and technicians carry out
# the rest; agents and managers book them; managers and administrators set technicians up.
_VIEW_FIELDWORK = [
    "fieldwork.view_workorder",
    "fieldwork.view_technician",
    "fieldwork.view_servicezone",
    "fieldwork.view_certification",
    "fieldwork.view_checklisttemplate",
]
_PERFORM_FIELDWORK = ["fieldwork.perform_workorder"]
_SCHEDULE_FIELDWORK = ["fieldwork.schedule_workorder", "fieldwork.add_workorder", "fieldwork.change_workorder"]
_CONFIGURE_FIELDWORK = [
    f"fieldwork.{verb}_{model}"
    for model in (
        "technician",
        "technicianshift",
        "technicianabsence",
        "certification",
        "servicezone",
        "checklisttemplate",
        "checklisttemplateitem",
    )
    for verb in ("add", "change", "delete")
]
# Spare parts: technicians and agents see the catalogue and stock; managers and administrators keep it.
_VIEW_PARTS = ["catalog.view_part"]
_MANAGE_PARTS = ["catalog.add_part", "catalog.change_part"]
# The cost of after-sales: managers and administrators read the ledger and record costs by hand.
_VIEW_COSTS = ["warranty.view_costentry", "warranty.add_costentry"]
# Returns and replacements: all staff see them; reps and agents open returns and receive goods;
# technicians, agents and managers inspect; agents and managers authorise, refund and replace;
# managers and administrators set the return policies.
_VIEW_RETURNS = ["warranty.view_returnrequest", "warranty.view_returnpolicy", "warranty.view_replacement"]
_OPEN_RETURNS = ["warranty.add_returnrequest", "warranty.change_returnrequest"]
_INSPECT_RETURNS = ["warranty.inspect_returnrequest"]
_DECIDE_RETURNS = ["warranty.authorise_returnrequest", "warranty.refund_returnrequest", "warranty.add_replacement"]
_CONFIGURE_RETURNS = ["warranty.add_returnpolicy", "warranty.change_returnpolicy", "warranty.delete_returnpolicy"]
# Maintenance contracts: everyone on staff sees them; reps sell, activate and renew; managers and
# administrators cancel them, record payments and keep the plans.
_VIEW_CONTRACTS = ["contracts.view_maintenancecontract", "contracts.view_contractplan"]
_SELL_CONTRACTS = [
    "contracts.add_maintenancecontract",
    "contracts.change_maintenancecontract",
    "contracts.sell_maintenancecontract",
]
_MANAGE_CONTRACTS = [
    "contracts.manage_maintenancecontract",
    "contracts.add_contractplan",
    "contracts.change_contractplan",
    "contracts.delete_contractplan",
]
# Feedback: whoever may be handed a recovery case works their own; managers and administrators see every case,
# the scores, and import earlier survey results.
_WORK_RECOVERY = ["feedback.view_recoverycase", "feedback.work_recoverycase"]
_MANAGE_FEEDBACK = [
    "feedback.manage_recoverycases",
    "feedback.view_feedback_scores",
    "feedback.view_response",
    "feedback.view_survey",
    "feedback.import_responses",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES_REP: _VIEW_INSTALLED_BASE
    + _EDIT_CUSTOMERS
    + _RECORD_SALES
    + _EDIT_UNITS
    + _VIEW_MESSAGES
    + _SEND_MESSAGES
    + _VIEW_TICKETS
    + _VIEW_FOLLOWUP
    + _WORK_TASKS
    + _VIEW_SERVICE_LEVELS
    + _VIEW_WARRANTY
    + _SELL_WARRANTY
    + _VIEW_FIELDWORK
    + _PERFORM_FIELDWORK
    + _VIEW_RETURNS
    + _OPEN_RETURNS
    + _VIEW_CONTRACTS
    + _SELL_CONTRACTS
    + _WORK_RECOVERY,
    Role.SUPPORT_AGENT: _VIEW_INSTALLED_BASE
    + _EDIT_CUSTOMERS
    + _VIEW_MESSAGES
    + _SEND_MESSAGES
    + _VIEW_TICKETS
    + _WORK_TICKETS
    + _VIEW_FOLLOWUP
    + _WORK_TASKS
    + _VIEW_SERVICE_LEVELS
    + _VIEW_WARRANTY
    + _INSPECT_UNITS
    + _WORK_CLAIMS
    + _VIEW_FIELDWORK
    + _SCHEDULE_FIELDWORK
    + _VIEW_PARTS
    + _VIEW_RETURNS
    + _OPEN_RETURNS
    + _INSPECT_RETURNS
    + _DECIDE_RETURNS
    + _VIEW_CONTRACTS
    + _WORK_RECOVERY,
    Role.TECHNICIAN: _VIEW_INSTALLED_BASE
    + _EDIT_UNITS
    + _VIEW_TICKETS
    + _VIEW_SERVICE_LEVELS
    + ["followup.view_stafftask", "followup.change_stafftask"]
    + _VIEW_WARRANTY
    + _INSPECT_UNITS
    + _VIEW_FIELDWORK
    + _PERFORM_FIELDWORK
    + _VIEW_PARTS
    + _VIEW_RETURNS
    + _INSPECT_RETURNS
    + _VIEW_CONTRACTS
    + _WORK_RECOVERY,
    Role.SERVICE_MANAGER: _VIEW_INSTALLED_BASE
    + _EDIT_CUSTOMERS
    + _RECORD_SALES
    + _EDIT_UNITS
    + _IMPORT
    + _VIEW_MESSAGES
    + _SEND_MESSAGES
    + _EDIT_TEMPLATES
    + _VIEW_TICKETS
    + _WORK_TICKETS
    + _SEE_ALL_TICKETS
    + _CONFIGURE_SERVICE
    + _VIEW_FOLLOWUP
    + _WORK_TASKS
    + _EDIT_PLAYBOOKS
    + _MANAGE_TASKS
    + _VIEW_SERVICE_LEVELS
    + _CONFIGURE_SERVICE_LEVELS
    + _CONFIGURE_MAIL
    + _VIEW_WARRANTY
    + _SELL_WARRANTY
    + _INSPECT_UNITS
    + _WORK_CLAIMS
    + _VIEW_FIELDWORK
    + _PERFORM_FIELDWORK
    + _SCHEDULE_FIELDWORK
    + _CONFIGURE_FIELDWORK
    + _VIEW_PARTS
    + _MANAGE_PARTS
    + _VIEW_COSTS
    + _VIEW_RETURNS
    + _OPEN_RETURNS
    + _INSPECT_RETURNS
    + _DECIDE_RETURNS
    + _CONFIGURE_RETURNS
    + _VIEW_CONTRACTS
    + _SELL_CONTRACTS
    + _MANAGE_CONTRACTS
    + _WORK_RECOVERY
    + _MANAGE_FEEDBACK,
    Role.ADMINISTRATOR: _VIEW_INSTALLED_BASE
    + _EDIT_CUSTOMERS
    + _EDIT_CATALOG
    + _RECORD_SALES
    + _EDIT_UNITS
    + _IMPORT
    + _VIEW_MESSAGES
    + _SEND_MESSAGES
    + _EDIT_TEMPLATES
    + _VIEW_TICKETS
    + _WORK_TICKETS
    + _SEE_ALL_TICKETS
    + _CONFIGURE_SERVICE
    + _VIEW_FOLLOWUP
    + _WORK_TASKS
    + _EDIT_PLAYBOOKS
    + _MANAGE_TASKS
    + _VIEW_SERVICE_LEVELS
    + _CONFIGURE_SERVICE_LEVELS
    + _CONFIGURE_MAIL
    + _VIEW_WARRANTY
    + _SELL_WARRANTY
    + _INSPECT_UNITS
    + _WORK_CLAIMS
    + _VIEW_FIELDWORK
    + _PERFORM_FIELDWORK
    + _SCHEDULE_FIELDWORK
    + _CONFIGURE_FIELDWORK
    + _VIEW_PARTS
    + _MANAGE_PARTS
    + _VIEW_COSTS
    + _VIEW_RETURNS
    + _OPEN_RETURNS
    + _INSPECT_RETURNS
    + _DECIDE_RETURNS
    + _CONFIGURE_RETURNS
    + _VIEW_CONTRACTS
    + _SELL_CONTRACTS
    + _MANAGE_CONTRACTS
    + _WORK_RECOVERY
    + _MANAGE_FEEDBACK,
}


# Repair orders: everyone on staff follows them; agents, technicians, managers and administrators work them.
_VIEW_REPAIRS = ["warranty.view_repairorder"]
_WORK_REPAIRS = ["warranty.add_repairorder", "warranty.change_repairorder", "warranty.work_repairorder"]
ROLE_PERMISSIONS[Role.SALES_REP] = ROLE_PERMISSIONS[Role.SALES_REP] + _VIEW_REPAIRS
for _role in (Role.SUPPORT_AGENT, Role.TECHNICIAN, Role.SERVICE_MANAGER, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + _VIEW_REPAIRS + _WORK_REPAIRS


def _grant(roles: tuple[str, ...], permissions: list[str]) -> None:
    for role in roles:
        ROLE_PERMISSIONS[role] = ROLE_PERMISSIONS[role] + permissions


# Loyalty programme (aftersales.loyalty).
# Everyone on staff reads members' points and tiers; reps and agents redeem points for customers at the
# counter or on the phone; managers and administrators set up the programme and award or adjust points.
_grant(
    (Role.SALES_REP, Role.SUPPORT_AGENT, Role.TECHNICIAN, Role.SERVICE_MANAGER, Role.ADMINISTRATOR),
    ["loyalty.view_pointsaccount", "loyalty.view_pointsentry", "loyalty.view_programme", "loyalty.view_tier"],
)
_grant((Role.SALES_REP, Role.SUPPORT_AGENT, Role.SERVICE_MANAGER, Role.ADMINISTRATOR), ["loyalty.redeem_points"])
_grant((Role.SERVICE_MANAGER, Role.ADMINISTRATOR), ["loyalty.manage_programme", "loyalty.adjust_points"])
#
# -- end of loyalty programme --


# Vouchers and offers (aftersales.offers).
# Everyone on staff looks vouchers up; reps, agents and managers redeem them at a sale; managers and
# administrators issue and cancel them by hand and compose and send special offers, which reps may read.
_grant(
    (Role.SALES_REP, Role.SUPPORT_AGENT, Role.TECHNICIAN, Role.SERVICE_MANAGER, Role.ADMINISTRATOR),
    ["offers.view_voucher", "offers.view_voucherredemption"],
)
_grant((Role.SALES_REP, Role.SUPPORT_AGENT, Role.SERVICE_MANAGER, Role.ADMINISTRATOR), ["offers.redeem_voucher"])
_grant((Role.SALES_REP, Role.SERVICE_MANAGER, Role.ADMINISTRATOR), ["offers.view_offer"])
_grant(
    (Role.SERVICE_MANAGER, Role.ADMINISTRATOR),
    ["offers.issue_voucher", "offers.add_offer", "offers.change_offer", "offers.send_offer"],
)
# -- end of vouchers and offers --


# Referrals (aftersales.referrals).
# Everyone on staff follows referrals and the funnel; those who talk to customers record friends and invite
# customers to refer; managers and administrators reject referrals, switch codes off and set the programme.
_grant(
    (Role.SALES_REP, Role.SUPPORT_AGENT, Role.TECHNICIAN, Role.SERVICE_MANAGER, Role.ADMINISTRATOR),
    ["referrals.view_referral", "referrals.view_referralsettings"],
)
_grant(
    (Role.SALES_REP, Role.SUPPORT_AGENT, Role.SERVICE_MANAGER, Role.ADMINISTRATOR),
    ["referrals.add_referral", "referrals.invite_referral"],
)
_grant((Role.SERVICE_MANAGER, Role.ADMINISTRATOR), ["referrals.reject_referral", "referrals.manage_referralsettings"])
# -- end of referrals --


# Contests (aftersales.contests).
# Staff who face customers see contests and their entries; managers and administrators set contests up,
# give manual entries, exclude customers, close and draw.
_grant(
    (Role.SALES_REP, Role.SUPPORT_AGENT, Role.SERVICE_MANAGER, Role.ADMINISTRATOR),
    ["contests.view_contest", "contests.view_entry"],
)
_grant(
    (Role.SERVICE_MANAGER, Role.ADMINISTRATOR),
    ["contests.add_contest", "contests.change_contest", "contests.run_contest", "contests.add_manual_entry"],
)
# -- end of contests --


# Newsletter (aftersales.newsletter).
# Everyone on staff may read lists, articles and issues; reps, managers and administrators write articles
# and compose issues; managers and administrators shape lists and send issues to customers.
_VIEW_NEWSLETTER = ["newsletter.view_newsletterlist", "newsletter.view_article", "newsletter.view_issue"]
_WRITE_NEWSLETTER = ["newsletter.add_article", "newsletter.change_article", "newsletter.add_issue", "newsletter.change_issue"]
_MANAGE_NEWSLETTER = [
    "newsletter.add_newsletterlist",
    "newsletter.change_newsletterlist",
    "newsletter.delete_issue",
    "newsletter.send_issue",
]
_grant((Role.SALES_REP, Role.SUPPORT_AGENT, Role.TECHNICIAN, Role.SERVICE_MANAGER, Role.ADMINISTRATOR), _VIEW_NEWSLETTER)
_grant((Role.SALES_REP, Role.SERVICE_MANAGER, Role.ADMINISTRATOR), _WRITE_NEWSLETTER)
_grant((Role.SERVICE_MANAGER, Role.ADMINISTRATOR), _MANAGE_NEWSLETTER)
#
# -- end of newsletter --


def roles_sync() -> None:
    """Make each role's group hold exactly the permissions of the matrix."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for name in perm_names:
            app_label, codename = name.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def roles_sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Resync the role groups once the last of our apps has migrated (its permissions exist only then)."""
    from django.apps import apps

    ours = [config.label for config in apps.get_app_configs() if config.name.startswith("aftersales.") and config.models_module]
    if not ours or getattr(sender, "label", None) != ours[-1]:
        return
    roles_sync()


def user_has_role(user: Any, *roles: str) -> bool:
    """Return whether an active staff user holds any of the roles (superusers hold all)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=roles).exists()
