"""The demo company's visits: checklist templates for installations and maintenance (English and Spanish),
a few spare parts, and one visit booked today with the Spanish technician so that "My visits" shows it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from aftersales.catalog.models import Category, Part
from aftersales.core.models import User
from aftersales.fieldwork.models import ChecklistTemplate, ChecklistTemplateItem, WorkOrderKind, WorkOrderStatus
from aftersales.fieldwork.services import work_order_create
from aftersales.fieldwork.services.scheduling import work_order_confirm, work_order_schedule
from aftersales.fieldwork.slots import slots_propose
from aftersales.sales.models import Unit, UnitStatus

# (name, name in Spanish, kind, category code or None for all, [(step, step in Spanish)])
TEMPLATES = [
    (
        "Installation",
        "Instalación",
        WorkOrderKind.INSTALLATION,
        None,
        [
            ("Check the packaging and the unit for transport damage", "Revisar el embalaje y el equipo por daños de transporte"),
            ("Place and level the unit", "Colocar y nivelar el equipo"),
            ("Connect power, water or air as the manual says", "Conectar electricidad, agua o aire según el manual"),
            ("Run a first cycle with the customer watching", "Hacer un primer ciclo con el cliente delante"),
            ("Explain care and the warranty; leave the manual", "Explicar el cuidado y la garantía; dejar el manual"),
            ("Take the packaging away", "Retirar el embalaje"),
        ],
    ),
    (
        "Machinery installation",
        "Instalación de maquinaria",
        WorkOrderKind.INSTALLATION,
        "machinery",
        [
            ("Check the floor can bear the machine's weight", "Comprobar que el suelo soporta el peso de la máquina"),
            ("Anchor the machine and check it is level", "Anclar la máquina y comprobar que está nivelada"),
            ("Check the supply voltage and the earth connection", "Comprobar la tensión de alimentación y la toma de tierra"),
            ("Test the emergency stop", "Probar la parada de emergencia"),
            ("Run the machine under load for ten minutes", "Hacer funcionar la máquina con carga durante diez minutos"),
            ("Train the operator on safe use", "Formar al operario en el uso seguro"),
        ],
    ),
    (
        "Maintenance",
        "Mantenimiento",
        WorkOrderKind.MAINTENANCE,
        None,
        [
            ("Ask the customer about any fault since the last visit", "Preguntar al cliente por averías desde la última visita"),
            ("Clean filters and vents", "Limpiar filtros y rejillas"),
            ("Check seals, hoses and cables for wear", "Revisar juntas, mangueras y cables por desgaste"),
            ("Update the firmware if needed", "Actualizar el firmware si hace falta"),
            ("Run a test cycle", "Hacer un ciclo de prueba"),
        ],
    ),
    (
        "Appliance maintenance",
        "Mantenimiento de electrodomésticos",
        WorkOrderKind.MAINTENANCE,
        "appliances",
        [
            ("Clean the drain pump filter", "Limpiar el filtro de la bomba de desagüe"),
            ("Descale with the approved product", "Descalcificar con el producto homologado"),
            ("Check the door seal and the hinges", "Revisar la junta de la puerta y las bisagras"),
            ("Check the inlet hose for cracks", "Revisar la manguera de entrada por grietas"),
            ("Run a short programme and check for leaks", "Hacer un programa corto y comprobar que no hay fugas"),
        ],
    ),
]
PARTS = [
    ("DEMO-PUMP-01", "Drain pump", "Bomba de desagüe", Decimal("34.00"), Decimal("59.00"), 12),
    ("DEMO-SEAL-02", "Door seal", "Junta de puerta", Decimal("18.50"), Decimal("32.00"), 8),
    ("DEMO-FILT-03", "Air filter", "Filtro de aire", Decimal("6.20"), Decimal("12.00"), 40),
]


def visits_build(*, staff: dict[str, User], today: dt.date) -> int:
    """Write the checklist templates and parts, and book one visit today; return the templates written."""
    written = 0
    categories = {category.slug: category for category in Category.objects.all()}
    for name, name_es, kind, category_code, steps in TEMPLATES:
        category = categories.get(category_code) if category_code else None
        if category_code and category is None:
            continue
        template, created = ChecklistTemplate.objects.get_or_create(
            name=name, kind=kind, category=category, defaults={"name_es": name_es}
        )
        if created:
            written += 1
            ChecklistTemplateItem.objects.bulk_create(
                ChecklistTemplateItem(template=template, position=index, text=text, text_es=text_es)
                for index, (text, text_es) in enumerate(steps)
            )
    for sku, name, name_es, cost, price, stock in PARTS:
        Part.objects.get_or_create(
            sku=sku, defaults={"name": name, "name_es": name_es, "unit_cost": cost, "unit_price": price, "stock_on_hand": stock}
        )
    _visit_today(staff=staff, today=today)
    return written


def _visit_today(*, staff: dict[str, User], today: dt.date) -> None:
    """Book a maintenance visit at ten today with the Spanish technician, for a recent appliance."""
    technician = staff.get("tech.luis")
    unit = (
        Unit.objects.filter(status=UnitStatus.IN_SERVICE, product__category__slug="appliances", customer__language="es")
        .exclude(customer__address_line1="")
        .select_related("customer")
        .order_by("-delivered_at", "id")
        .first()
    )
    if technician is None or unit is None:
        return
    order = work_order_create(
        actor=None,
        kind=WorkOrderKind.MAINTENANCE,
        customer=unit.customer,
        units=[unit],
        description="Yearly maintenance: the customer mentions a slight noise when draining.",
        origin_key=f"demo:maintenance:{unit.pk}",
    )
    if order.status == WorkOrderStatus.PROPOSED:
        # Booked through the scheduling services like any visit: the first free slot of the technician
        # from today (ten o'clock when the day allows it), confirmed by the customer on the phone.
        slots = slots_propose(order, today, days=7, limit=1, assignee=technician)
        if not slots:
            return
        booked = work_order_schedule(actor=staff.get("agent.carmen"), work_order=order, assignee=technician, start=slots[0].start)
        work_order_confirm(actor=staff.get("agent.carmen"), work_order=booked, via="staff")
