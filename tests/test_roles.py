"""Staff roles: the matrix, the groups that mirror it, and the checks the API and screens rely on."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from aftersales.core.errors import PermissionDenied
from aftersales.core.models import Department
from aftersales.core.permissions import is_staff_member, require_perm, require_staff
from aftersales.core.roles import ROLE_PERMISSIONS, Role, roles_sync, user_has_role
from aftersales.customers.services import customer_portal_user
from tests.factories import UserFactory, staff

pytestmark = pytest.mark.django_db


def _group_perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_every_permission_in_the_matrix_exists():
    # A typo in the matrix would otherwise be skipped silently and the role would lack the permission.
    existing = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}

    for role, names in ROLE_PERMISSIONS.items():
        assert set(names) <= existing, f"{role}: {sorted(set(names) - existing)}"


def test_every_role_has_a_group_holding_exactly_its_permissions():
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    for role, names in ROLE_PERMISSIONS.items():
        assert _group_perms(role) == set(names)


def test_sync_removes_permissions_granted_by_hand_and_restores_missing_ones():
    group = Group.objects.get(name=Role.TECHNICIAN)
    group.permissions.add(Permission.objects.get(codename="add_product"))
    group.permissions.remove(Permission.objects.get(codename="change_unit"))

    roles_sync()
    roles_sync()

    assert _group_perms(Role.TECHNICIAN) == set(ROLE_PERMISSIONS[Role.TECHNICIAN])
    assert Group.objects.filter(name=Role.TECHNICIAN).count() == 1


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            Role.SALES_REP,
            {"customers.add_customer", "sales.add_sale", "sales.change_unit"},
            {"catalog.add_product", "sales.import_sales"},
        ),
        (
            Role.SUPPORT_AGENT,
            {"customers.add_customer", "customers.change_customer", "sales.view_unit"},
            {"sales.add_sale", "sales.change_unit", "catalog.add_product"},
        ),
        (
            Role.TECHNICIAN,
            {"sales.change_unit", "sales.view_unit", "customers.view_customer"},
            {"customers.add_customer", "sales.add_sale", "catalog.change_product"},
        ),
        (
            Role.SERVICE_MANAGER,
            {"sales.import_sales", "sales.add_sale", "customers.change_customer"},
            {"catalog.add_product"},
        ),
        (
            Role.ADMINISTRATOR,
            {"catalog.add_product", "catalog.change_product", "catalog.add_category", "sales.import_sales"},
            set(),
        ),
    ],
)
def test_each_role_holds_what_its_job_needs_and_no_more(role, allowed, refused):
    user = staff(role)

    assert all(user.has_perm(name) for name in allowed)
    assert not any(user.has_perm(name) for name in refused)
    # Every role reads the installed base and its timeline.
    assert user.has_perms(["customers.view_customer", "sales.view_sale", "core.view_timelineevent"])


def test_nobody_may_delete_customers_through_a_role():
    for role in Role.values:
        assert not staff(role).has_perm("customers.delete_customer")


def test_user_has_role_for_active_staff_only():
    agent = staff(Role.SUPPORT_AGENT)
    former = staff(Role.SUPPORT_AGENT, is_active=False)
    boss = UserFactory(role=None, is_superuser=True)

    assert user_has_role(agent, Role.SUPPORT_AGENT)
    assert user_has_role(agent, Role.TECHNICIAN, Role.SUPPORT_AGENT)
    assert not user_has_role(agent, Role.TECHNICIAN)
    assert not user_has_role(former, Role.SUPPORT_AGENT)
    assert user_has_role(boss, Role.TECHNICIAN)


def test_a_customer_account_holds_no_role_even_in_a_staff_group(customer):
    user = customer_portal_user(customer=customer)
    user.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))

    assert not user_has_role(user, Role.ADMINISTRATOR)
    assert not is_staff_member(user)
    with pytest.raises(PermissionDenied):
        require_perm(user, "customers.view_customer")
    with pytest.raises(PermissionDenied):
        require_staff(user)


def test_require_perm_needs_every_permission_asked_for():
    technician = staff(Role.TECHNICIAN)

    require_perm(technician, "sales.change_unit")
    with pytest.raises(PermissionDenied, match="does not allow"):
        require_perm(technician, "sales.change_unit", "sales.add_sale")


def test_a_deactivated_staff_member_passes_no_check():
    former = staff(Role.ADMINISTRATOR, is_active=False)

    with pytest.raises(PermissionDenied):
        require_perm(former, "catalog.add_product")
    with pytest.raises(PermissionDenied):
        require_staff(former)


def test_roles_have_translatable_names():
    assert {str(label) for label in Role.labels} == {
        "Sales representative",
        "Support agent",
        "Technician",
        "Service manager",
        "Administrator",
    }


def test_the_three_departments_exist_with_spanish_names():
    departments = {d.code: d for d in Department.objects.all()}

    assert {"sales", "service", "administration"} <= set(departments)
    assert departments["service"].display_name("es") == "Servicio técnico"
    assert departments["service"].display_name("en") == "Service"
