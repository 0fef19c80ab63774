# ruff: noqa: E501 - the product table reads best one product per line
"""Reference data for the demo company: staff, catalogue, names and places.

Everything here is invented. Emails use the reserved ``example.*`` domains and
phone numbers are generated at random inside each country's valid ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from aftersales.catalog.models import WarrantyStart
from aftersales.core.roles import Role


def _list(text: str) -> list[str]:
    """Return the comma-separated items of a text (keeps long word lists compact)."""
    return [item.strip() for item in text.split(",") if item.strip()]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    department: str
    language: str
    superuser: bool = False


STAFF = [
    StaffSpec("admin", "Alex", "Morgan", Role.ADMINISTRATOR, "administration", "en", superuser=True),
    StaffSpec("manager", "Marta", "Ortega", Role.SERVICE_MANAGER, "service", "es"),
    StaffSpec("rep.ana", "Ana", "Rodríguez", Role.SALES_REP, "sales", "es"),
    StaffSpec("rep.lucia", "Lucía", "Navarro", Role.SALES_REP, "sales", "es"),
    StaffSpec("rep.james", "James", "Whitfield", Role.SALES_REP, "sales", "en"),
    StaffSpec("agent.tom", "Tom", "Gallagher", Role.SUPPORT_AGENT, "service", "en"),
    StaffSpec("agent.carmen", "Carmen", "Vidal", Role.SUPPORT_AGENT, "service", "es"),
    StaffSpec("tech.luis", "Luis", "Moreno", Role.TECHNICIAN, "service", "es"),
    StaffSpec("tech.sarah", "Sarah", "Quinn", Role.TECHNICIAN, "service", "en"),
]
STAFF_EMAIL_DOMAIN = "staff.example.com"


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    name_es: str
    warranty_months: int
    warranty_starts: str
    maintenance_interval_months: int | None
    return_window_days: int
    exchange_window_days: int
    # Relative popularity with private and business customers.
    weight_private: float
    weight_business: float
    # Months (1-12) in which the category sells about twice as much.
    peak_months: tuple[int, ...]


CATEGORIES = [
    CategorySpec("appliances", "Appliances", "Electrodomésticos", 24, WarrantyStart.DELIVERY, 12, 14, 30, 3.0, 1.0, (7, 11, 12)),
    CategorySpec("electronics", "Electronics", "Electrónica", 24, WarrantyStart.DELIVERY, None, 30, 30, 3.0, 1.0, (11, 12, 1)),
    CategorySpec("bicycles", "Bicycles", "Bicicletas", 24, WarrantyStart.DELIVERY, 6, 14, 30, 2.0, 0.3, (3, 4, 5, 6)),
    CategorySpec("machinery", "Machinery", "Maquinaria", 12, WarrantyStart.INSTALLATION, 6, 0, 15, 0.15, 3.0, (2, 3, 9, 10)),
    CategorySpec("furniture", "Furniture", "Muebles", 60, WarrantyStart.DELIVERY, None, 14, 30, 1.5, 0.8, (1, 9, 10)),
]


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    category: str
    name: str
    name_es: str
    list_price: Decimal
    # Serial template: {yy} {mm} {ww} from the manufacturing date, # a digit, @ a letter, * a letter or digit.
    serial_pattern: str
    needs_installation: bool = False
    # Quantities bought at once, most common first.
    quantities: tuple[int, ...] = (1,)


def _products(table: str) -> list[ProductSpec]:
    """Return the products of a table under [category] headings: SKU | name | Spanish name | price | serial | flags.

    Flags: ``install`` when the product needs installation, ``qty 4 6`` for the quantities usually bought.
    """
    products, category = [], ""
    for row in table.strip().splitlines():
        if row.startswith("["):
            category = row.strip("[]")
            continue
        sku, name, name_es, price, serial, flags = (cell.strip() for cell in row.split("|"))
        quantities = tuple(int(q) for q in flags.partition("qty")[2].split())
        products.append(
            ProductSpec(
                sku=sku,
                category=category,
                name=name,
                name_es=name_es,
                list_price=Decimal(price),
                serial_pattern=serial,
                needs_installation="install" in flags,
                quantities=quantities or (1,),
            )
        )
    return products


PRODUCTS = _products(
    """
[appliances]
NF-540    | Nordfrost NF540 fridge-freezer            | Frigorífico combi Nordfrost NF540           |  749.00 | NF{yy}{ww}-###### |
NF-380    | Nordfrost NF380 under-counter fridge      | Frigorífico bajo encimera Nordfrost NF380   |  429.00 | NF{yy}{ww}-###### |
LV-WM8    | Lavanda WM8 washing machine, 8 kg         | Lavadora Lavanda WM8, 8 kg                  |  529.00 | LV##########      |
LV-WM10   | Lavanda WM10 Steam washing machine, 10 kg | Lavadora Lavanda WM10 Vapor, 10 kg          |  689.00 | LV##########      |
LV-TD9    | Lavanda TD9 heat-pump dryer               | Secadora con bomba de calor Lavanda TD9     |  649.00 | LV##########      |
CV-DW60   | Cocina Viva DW60 built-in dishwasher      | Lavavajillas integrable Cocina Viva DW60    |  599.00 | CV{yy}{mm}#####@  | install
CV-OV70   | Cocina Viva OV70 built-in oven            | Horno integrable Cocina Viva OV70           |  479.00 | CV{yy}{mm}#####@  | install
AU-AC35   | Aura AC35 split air conditioner, 3.5 kW   | Aire acondicionado split Aura AC35, 3,5 kW  |  899.00 | AUR-****-######   | install
TM-CB24   | Termia CB24 condensing boiler             | Caldera de condensación Termia CB24         | 1490.00 | TRM{yy}#######    | install
[electronics]
OR-TV55   | Orion 55" 4K television                   | Televisor Orion 55" 4K                      |  649.00 | OR{yy}@@########  |
OR-TV65   | Orion 65" 4K OLED television              | Televisor Orion 65" 4K OLED                 | 1290.00 | OR{yy}@@########  |
OR-SB300  | Orion SB300 soundbar                      | Barra de sonido Orion SB300                 |  249.00 | OR{yy}@@########  |
PL-14     | Pulse 14 laptop                           | Portátil Pulse 14                           |  899.00 | PLS********       |
PL-16P    | Pulse 16 Pro laptop                       | Portátil Pulse 16 Pro                       | 1499.00 | PLS********       |
PL-TAB10  | Pulse Tab 10 tablet                       | Tableta Pulse Tab 10                        |  329.00 | PLS********       |
KS-M50    | Kestrel M50 mirrorless camera             | Cámara sin espejo Kestrel M50               | 1149.00 | #######           |
[bicycles]
RT-URB7   | Ruta Urban 7 city bike                    | Bicicleta de ciudad Ruta Urban 7            |  549.00 | RT{yy}@######     |
RT-TR29   | Ruta Trail 29 mountain bike               | Bicicleta de montaña Ruta Trail 29          | 1190.00 | RT{yy}@######     |
RT-GX     | Ruta Gravel GX                            | Bicicleta de gravel Ruta GX                 | 1650.00 | RT{yy}@######     |
RT-K20    | Ruta Kids 20" bike                        | Bicicleta infantil Ruta Kids 20"            |  289.00 | RT{yy}@######     |
VT-ECITY  | Voltra E-City electric bike               | Bicicleta eléctrica Voltra E-City           | 2290.00 | VLT#########      |
VT-ETREK  | Voltra E-Trek electric bike               | Bicicleta eléctrica Voltra E-Trek           | 3190.00 | VLT#########      |
[machinery]
HD-C100   | Hidra Pro 100 L air compressor            | Compresor de aire Hidra Pro 100 L           | 2450.00 | HD-{yy}-#####     | install
FX-CO10   | Fornax CO10 combi oven                    | Horno mixto Fornax CO10                     | 6900.00 | FX########        | install
TK-L360   | Tecnomak L360 bench lathe                 | Torno de banco Tecnomak L360                | 4750.00 | TM{yy}.####       | install
VG-G8     | Volten G8 diesel generator, 8 kVA         | Grupo electrógeno diésel Volten G8, 8 kVA   | 3900.00 | VG8-#######       | install
[furniture]
CR-SOFA3  | Casa Roble three-seater sofa              | Sofá de tres plazas Casa Roble              | 1290.00 | CRB-########      |
CR-TBL180 | Casa Roble oak dining table, 180 cm       | Mesa de comedor de roble Casa Roble, 180 cm |  890.00 | CRB-########      |
CR-CHAIR  | Casa Roble dining chair                   | Silla de comedor Casa Roble                 |  149.00 | CRB-########      | qty 4 6 2 1
DS-M150   | Descanso memory-foam mattress, 150×190    | Colchón viscoelástico Descanso, 150×190     |  799.00 | DSC{yy}{mm}###### |
DS-BASE   | Descanso adjustable bed base              | Somier articulado Descanso                  | 1190.00 | DSC{yy}{mm}###### |
ES-ERGO   | Estudio ergonomic office chair            | Silla de oficina ergonómica Estudio         |  389.00 | EST#######        | qty 1 2 4
"""
)


@dataclass(frozen=True)
class Place:
    city: str
    region: str
    # Spanish and US: the first digits of the postal code; UK and Ireland: outward codes / routing keys.
    postal_prefixes: tuple[str, ...]
    time_zone: str
    # Area codes for landlines (US numbers need them; elsewhere mobiles are generated).
    area_codes: tuple[str, ...] = ()


PLACES: dict[str, list[Place]] = {
    "ES": [
        Place("Madrid", "Madrid", ("280",), "Europe/Madrid"),
        Place("Barcelona", "Barcelona", ("080",), "Europe/Madrid"),
        Place("Valencia", "Valencia", ("460",), "Europe/Madrid"),
        Place("Sevilla", "Sevilla", ("410",), "Europe/Madrid"),
        Place("Zaragoza", "Zaragoza", ("500",), "Europe/Madrid"),
        Place("Málaga", "Málaga", ("290",), "Europe/Madrid"),
        Place("Bilbao", "Bizkaia", ("480",), "Europe/Madrid"),
        Place("Murcia", "Murcia", ("300",), "Europe/Madrid"),
        Place("Palma", "Illes Balears", ("070",), "Europe/Madrid"),
        Place("Valladolid", "Valladolid", ("470",), "Europe/Madrid"),
        Place("A Coruña", "A Coruña", ("150",), "Europe/Madrid"),
        Place("Granada", "Granada", ("180",), "Europe/Madrid"),
        Place("Alicante", "Alicante", ("030",), "Europe/Madrid"),
        Place("Las Palmas de Gran Canaria", "Las Palmas", ("350",), "Atlantic/Canary"),
    ],
    "GB": [
        Place("London", "Greater London", ("SW11", "N1", "E2", "SE15", "NW3", "W4"), "Europe/London"),
        Place("Manchester", "Greater Manchester", ("M1", "M14", "M20"), "Europe/London"),
        Place("Leeds", "West Yorkshire", ("LS1", "LS6", "LS8"), "Europe/London"),
        Place("Bristol", "Bristol", ("BS1", "BS6", "BS8"), "Europe/London"),
        Place("Edinburgh", "Scotland", ("EH1", "EH3", "EH10"), "Europe/London"),
        Place("Birmingham", "West Midlands", ("B1", "B13", "B15"), "Europe/London"),
        Place("Cardiff", "Wales", ("CF10", "CF11", "CF24"), "Europe/London"),
    ],
    "IE": [
        Place("Dublin", "County Dublin", ("D02", "D04", "D06", "D08"), "Europe/Dublin"),
        Place("Cork", "County Cork", ("T12", "T23"), "Europe/Dublin"),
        Place("Galway", "County Galway", ("H91",), "Europe/Dublin"),
        Place("Limerick", "County Limerick", ("V94",), "Europe/Dublin"),
    ],
    "US": [
        Place("New York", "NY", ("100", "112"), "America/New_York", ("212", "646", "718")),
        Place("Boston", "MA", ("021",), "America/New_York", ("617", "857")),
        Place("Chicago", "IL", ("606",), "America/Chicago", ("312", "773")),
        Place("Austin", "TX", ("787",), "America/Chicago", ("512", "737")),
        Place("Seattle", "WA", ("981",), "America/Los_Angeles", ("206",)),
        Place("San Francisco", "CA", ("941",), "America/Los_Angeles", ("415", "628")),
    ],
}
# Share of English-speaking customers by country.
ENGLISH_COUNTRIES = {"GB": 0.5, "IE": 0.2, "US": 0.3}

STREETS: dict[str, list[str]] = {
    "ES": _list(
        "Calle Mayor, Calle de Alcalá, Avenida de la Constitución, Calle del Carmen, Paseo de Gracia,"
        " Calle San Vicente, Avenida de Andalucía, Calle Real, Calle de la Paz, Gran Vía, Calle Colón,"
        " Avenida del Puerto, Calle de Cervantes, Calle Nueva, Ronda de Toledo, Calle del Sol,"
        " Plaza de España"
    ),
    "GB": _list(
        "High Street, Station Road, Church Lane, Victoria Road, Park Avenue, Mill Lane, Queen Street,"
        " King's Road, Manor Way, The Crescent, Albert Street, Green Lane"
    ),
    "IE": _list(
        "Main Street, Church Road, Castle Street, Patrick Street, Strand Road, Harbour View, Abbey Street,"
        " Oak Park, Riverside Drive"
    ),
    "US": _list(
        "Main St, Oak Ave, Maple St, Washington Ave, Cedar Ln, Lake Shore Dr, Park Pl, Elm St, Sunset Blvd, Hillcrest Rd, Pine St"
    ),
}

SPANISH_FIRST_NAMES = _list(
    "Lucía, María, Carmen, Laura, Marta, Elena, Paula, Sara, Ana, Cristina, Isabel, Nuria, Pilar, Rocío,"
    " Alba, Irene, Julia, Teresa, Beatriz, Montserrat, Inés, Raquel, Silvia, Antonio, José, Manuel,"
    " Francisco, David, Javier, Daniel, Carlos, Miguel, Alejandro, Rafael, Pablo, Sergio, Jorge, Alberto,"
    " Álvaro, Fernando, Diego, Adrián, Raúl, Iker, Jordi, Xavier, Hugo, Mario"
)
SPANISH_SURNAMES = _list(
    "García, Rodríguez, González, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Martín, Jiménez,"
    " Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso, Gutiérrez, Navarro, Torres,"
    " Domínguez, Vázquez, Ramos, Gil, Ramírez, Serrano, Blanco, Molina, Morales, Suárez, Ortega, Delgado,"
    " Castro, Ortiz, Rubio, Marín, Sanz, Iglesias, Núñez, Medina, Garrido, Cortés, Castillo, Santos,"
    " Lozano, Guerrero, Cano, Prieto, Méndez, Calvo, Gallego, Vidal, León, Herrera, Peña, Flores, Cabrera,"
    " Campos, Vega, Fuentes, Carrasco, Aguirre, Etxeberria, Puig, Ferrer, Soler"
)
ENGLISH_FIRST_NAMES = _list(
    "Olivia, Emily, Charlotte, Sophie, Grace, Hannah, Jessica, Lucy, Emma, Chloe, Megan, Aoife, Niamh,"
    " Siobhan, Ashley, Madison, Rachel, Laura, Katherine, Eleanor, Harriet, Oliver, James, William,"
    " Thomas, Jack, Harry, George, Daniel, Samuel, Michael, Patrick, Sean, Conor, Ciarán, Matthew, Ryan,"
    " Tyler, Brandon, Andrew, Christopher, Benjamin, Edward, Joshua, Liam, Owen"
)
ENGLISH_SURNAMES = {
    "GB": _list(
        "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright, Thompson, Evans,"
        " Walker, White, Roberts, Green, Hall, Wood, Jackson, Clarke, Hughes, Edwards, Turner, Hill, Cooper,"
        " Ward, Morris, Baker, Harrison, Lewis, Patel, Khan, Campbell, Stewart, MacDonald"
    ),
    "IE": _list(
        "Murphy, Kelly, O'Sullivan, Walsh, Smith, O'Brien, Byrne, Ryan, O'Connor, O'Neill, O'Reilly, Doyle,"
        " McCarthy, Gallagher, Doherty, Kennedy, Lynch, Murray, Quinn, Moore, McLoughlin, Brennan, Fitzgerald,"
        " Nolan"
    ),
    "US": _list(
        "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Garcia, Rodriguez, Wilson, Anderson, Thomas,"
        " Taylor, Moore, Jackson, Martin, Lee, Thompson, White, Harris, Clark, Lewis, Robinson, Walker, Young,"
        " Allen, King, Scott, Nguyen, Hill, Baker, Carter, Mitchell, Perez, Roberts, Turner, Phillips,"
        " Campbell, Parker, Collins"
    ),
}
# Company names: "<trade> <surname> <legal form>" in Spain, "<surname> <trade> <legal form>" elsewhere.
BUSINESS_NAMES = {
    "ES": (
        _list("Talleres, Construcciones, Restaurante, Hostal, Panadería, Instalaciones, Carpintería, Cafetería, Reformas"),
        ("S.L.", "S.A.", "S.L.U.", "C.B."),
    ),
    "GB": (_list("Engineering, Kitchens, Builders, Catering, Workshop, Joinery, Bakery, Hospitality"), ("Ltd",)),
    "IE": (_list("Engineering, Catering, Builders, Hospitality, Fabrication, Bakery"), ("Ltd", "DAC")),
    "US": (_list("Kitchens, Builders, Machine Works, Catering, Fabrication, Bistro"), ("LLC", "Inc.")),
}
EMAIL_DOMAINS = ["example.com", "example.org", "example.net"]
BUSINESS_MAILBOXES = {"es": ["info", "administracion", "compras", "pedidos"], "en": ["info", "accounts", "office", "orders"]}

# Notes staff might keep, in the customer's language.
NOTES = {
    "es": [
        "Prefiere que le llamen por la tarde.",
        "Portal con código: avisar al llegar.",
        "Cliente desde la apertura de la tienda.",
        "Pide factura a nombre de la empresa.",
        "Aparcamiento difícil; entregar por la mañana.",
    ],
    "en": [
        "Prefers calls in the afternoon.",
        "Gate code needed: call on arrival.",
        "Regular customer, always pays by card.",
        "Asks for invoices by email only.",
        "Deliveries to the side entrance.",
    ],
}

# The shops that issue till receipts (the web shop, phone line and field reps number their own documents),
# and the cities whose customers shop in each; customers from elsewhere visit the Madrid flagship.
STORES = {
    "MAD-CAS": ("Madrid", "Valladolid", "A Coruña", "Zaragoza", "Bilbao"),
    "BCN-DIA": ("Barcelona", "Palma"),
    "VLC-COL": ("Valencia", "Alicante", "Murcia"),
    "SVQ-NER": ("Sevilla", "Málaga", "Granada", "Las Palmas de Gran Canaria"),
}
