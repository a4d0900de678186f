"""The demo company's users, organizations and persons (names in many scripts, shared addresses)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from cardin.sandbox.demo_base import DemoClock, UserSpec
from cardin.sandbox.demo_fields import (
    LABEL,
    address_value,
    rich_custom_values,
    sample_custom_values,
)

JSON = dict[str, Any]

# fmt: off
DEMO_USERS = [
    UserSpec(1, "Maria Svensson", "maria.svensson@aurora-demo.example", "en_US",
             "Europe/Stockholm", "+02:00", admin=True),
    UserSpec(2, "Jonas Becker", "jonas.becker@aurora-demo.example", "de_DE",
             "Europe/Berlin", "+02:00"),
    UserSpec(3, "Aiko Tanaka", "aiko.tanaka@aurora-demo.example", "ja_JP",
             "Asia/Tokyo", "+09:00", currency="JPY"),
    UserSpec(4, "Lucía Fernández", "lucia.fernandez@aurora-demo.example", "es_ES",
             "Europe/Madrid", "+02:00"),
    UserSpec(5, "Olga Smirnova", "olga.smirnova@aurora-demo.example", "ru_RU",
             "Europe/Moscow", "+03:00", active=False),
    UserSpec(6, "Priya Raman", "priya.raman@aurora-demo.example", "en_GB",
             "Europe/London", "+01:00", currency="GBP"),
]
# fmt: on

# (id, name, street, number, city, postal code, country, region, website, employees, owner)
# fmt: off
ORGANIZATIONS: list[tuple[int, str, str, str, str, str, str, str | None, str, int, int]] = [
    (1, "Nordlicht Maschinenbau GmbH", "Leopoldstraße", "112", "München", "80802", "Germany",
     "Bayern", "nordlicht.example", 850, 2),
    (2, "Énergies Côte d'Azur SAS", "Promenade des Anglais", "37", "Nice", "06000", "France",
     "Provence-Alpes-Côte d'Azur", "cotedazur-energies.example", 320, 1),
    (3, "ООО «Северный Ветер»", "Невский проспект", "28", "Санкт-Петербург", "191186", "Russia",
     None, "severny-veter.example", 140, 5),
    (4, "Ολυμπία Ναυτιλιακή Α.Ε.", "Ακτή Μιαούλη", "47", "Πειραιάς", "185 36", "Greece",
     "Αττική", "olympia-shipping.example", 95, 4),
    (5, "株式会社さくら精工", "丸の内", "2-7-2", "千代田区", "100-0005", "Japan", "東京都",
     "sakura-seiko.example", 1200, 3),
    (6, "上海东方贸易有限公司", "南京东路", "100号", "上海市", "200001", "China", None,
     "dongfang-trade.example", 400, 3),
    (7, "شركة الواحة للتجارة", "شارع الشيخ زايد", "14", "دبي", "00000", "United Arab Emirates",
     None, "alwaha-trading.example", 60, 6),
    (8, "Fjordline Logistics AB", "Lilla Bommen", "5", "Göteborg", "411 04", "Sweden", None,
     "fjordline.example", 2300, 1),
    (9, "Atlantic Harbour Ltd", "Canada Square", "20", "London", "E14 5NN", "United Kingdom",
     "England", "atlanticharbour.example", 510, 6),
    (10, "Pinewood Analytics Inc.", "W 2nd St", "500", "Austin", "78701", "United States",
     "Texas", "pinewood-analytics.example", 75, 2),
    (11, "Łódź Systemy sp. z o.o.", "ul. Piotrkowska", "104", "Łódź", "90-926", "Poland",
     "łódzkie", "lodz-systemy.example", 210, 4),
]
# fmt: on


@dataclass(frozen=True, slots=True)
class PersonSpec:
    """A demo person: emails and phones as `value|label` (label defaults to work), first primary."""

    id: int
    first: str
    last: str
    org: int | None
    emails: tuple[str, ...]
    phones: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    owner: int = 1
    job: str | None = None
    family_first: bool = False
    deleted: bool = False
    full_name: str | None = None  # when the name is not "first last" or "last first"


P = PersonSpec
# fmt: off
PERSONS = [
    P(1, "Élodie", "Marchand", 2,
      ("elodie.marchand@cotedazur-energies.example", "elodie.m@mail.example|home",
       "e.marchand@board.example|other"),
      ("+33 4 93 12 34 56", "+33 4 93 65 43 21|home", "+33 6 12 34 56 78|mobile",
       "+33 800 123 456|other"), ("Customer", "VIP"), job="Directrice des achats"),
    P(2, "Jonas", "Müller", 1, ("Jonas.Mueller@Nordlicht.example",), ("+49 89 4520 1100",),
      ("Hot lead",), owner=2, job="Leiter Einkauf"),
    P(3, "Katharina", "Weber", 1, ("k.weber@nordlicht.example", "kathi.weber@mail.example|home"),
      ("+49 89 4520 1187", "+49 170 555 0123|mobile"), ("Customer",), owner=2, job="CFO"),
    P(4, "Дмитрий", "Соколов", 3, ("d.sokolov@severny-veter.example",), ("+7 812 555-01-23",),
      ("Warm lead",), owner=5, job="Технический директор"),
    P(5, "Анна", "Кузнецова", 3, ("a.kuznetsova@severny-veter.example",),
      ("+7 921 555-77-88|mobile",), owner=5),
    P(6, "Γιώργος", "Παπαδόπουλος", 4,
      ("g.papadopoulos@olympia-shipping.example", "sales@olympia-shipping.example|other"),
      ("+30 210 555 1234",), ("Customer",), owner=4, job="Διευθυντής Πωλήσεων"),
    P(7, "Ελένη", "Νικολάου", 4,
      ("e.nikolaou@olympia-shipping.example", "sales@olympia-shipping.example|other"),
      ("+30 210 555 1299",), ("Warm lead",), owner=4),
    P(8, "太郎", "山田", 5, ("t.yamada@sakura-seiko.example",),
      ("+81 3-5555-0101", "+81 90-5555-0101|mobile"), ("Customer", "Partner"), owner=3,
      job="購買部長", family_first=True),
    P(9, "花子", "佐藤", 5, ("h.sato@sakura-seiko.example",), ("+81 3-5555-0102",), owner=3,
      family_first=True),
    P(10, "伟", "王", 6, ("wang.wei@dongfang-trade.example",), ("+86 21 5555 0188",),
      ("Hot lead",), owner=3, full_name="王伟"),
    P(11, "娜", "李", 6, ("li.na@dongfang-trade.example",), ("+86 138 0013 8000|mobile",),
      owner=3, full_name="李娜"),
    P(12, "محمد", "العلي", 7, ("m.alali@alwaha-trading.example",), ("+971 4 555 0100",),
      ("Investor",), owner=6, job="المدير التنفيذي"),
    P(13, "فاطمة", "الزهراء", 7, ("f.alzahra@alwaha-trading.example",),
      ("+971 50 555 0111|mobile",), owner=6),
    P(14, "Henrik", "Lindqvist", 8, ("henrik.lindqvist@fjordline.example",),
      ("+46 31 555 01 00", "+46 70 555 01 01|mobile"), ("Customer", "VIP", "Partner"),
      job="Head of Procurement"),
    P(15, "Ingrid", "Bergström", 8, ("ingrid.bergstrom@fjordline.example",),
      ("+46 31 555 01 02",)),
    P(16, "Oliver", "Bennett", 9, ("oliver.bennett@atlanticharbour.example",),
      ("+44 20 5555 0101",), ("Cold lead",), owner=6),
    P(17, "Siobhán", "O'Connor", 9, ("s.o'connor@atlanticharbour.example",),
      ("+44 20 5555 0102", "+353 1 555 0199|home"), ("Customer",), owner=6),
    P(18, "Emily", "Chen", 10, ("emily.chen@pinewood-analytics.example",), ("+1 512-555-0142",),
      ("Hot lead",), owner=2, job="VP Data"),
    P(19, "Marcus", "Johnson", 10, ("marcus@pinewood-analytics.example",), ("+1 512-555-0199",),
      owner=2),
    P(20, "Łukasz", "Wiśniewski", 11, ("lukasz.wisniewski@lodz-systemy.example",),
      ("+48 42 555 01 23",), ("Warm lead",), owner=4),
    P(21, "Zofia", "Dąbrowska", 11, ("zofia.dabrowska@lodz-systemy.example",),
      ("+48 601 555 321|mobile",), owner=4),
    P(22, "Sam", "Lee", None, ("sam.lee@minimal.example",)),
    P(23, "Gerhard", "Alt", 1, ("gerhard.alt@nordlicht.example",), ("+49 89 4520 1000",),
      owner=2, deleted=True),
    P(24, "François", "Dupont", 2, ("f.dupont@cotedazur-energies.example",),
      ("+33 4 93 12 30 00",), ("Customer",), job="Ingénieur"),
    P(25, "Søren", "Østergaard", 8, ("soren.ostergaard@fjordline.example",), ("+45 33 55 50 10",)),
    P(26, "José", "Álvarez", None, ("jose.alvarez@mail.example|home",),
      ("+34 612 555 019|mobile",), ("Cold lead",), owner=4),
    P(27, "Zoë", "Brontë-Smith", 9, ("zoe.bronte-smith@atlanticharbour.example",), owner=6),
    P(28, "Ngozi", "Okafor", 9, ("ngozi.okafor@atlanticharbour.example",), ("+44 20 5555 0177",),
      ("Hot lead",), owner=6),
    P(29, "Ahmet", "Yılmaz", 7, ("ahmet.yilmaz@alwaha-trading.example",), ("+971 4 555 0177",),
      owner=6),
    P(30, "Mai", "Nguyễn Thị", 6, ("mai.nguyen@dongfang-trade.example",), ("+84 28 5555 0100",),
      owner=3),
    P(31, "Björn", "Þórsson", 8, ("bjorn.thorsson@fjordline.example",), ("+354 555 0142",)),
    P(32, "Chloé", "Lefèvre", 2, ("chloe.lefevre@cotedazur-energies.example",),
      ("+33 6 55 44 33 22|mobile",), ("Warm lead",)),
    P(33, "Иван", "Петров", 3, ("i.petrov@severny-veter.example",), ("+7 812 555-09-09",), owner=5),
    P(34, "민준", "김", 10, ("minjun.kim@pinewood-analytics.example",), ("+82 2-555-0123",),
      owner=2, full_name="김민준"),
    P(35, "राहुल", "शर्मा", 10, ("rahul.sharma@pinewood-analytics.example",), ("+91 22 5555 0100",),
      owner=2),
    P(36, "נועה", "כהן", 9, ("noa.cohen@atlanticharbour.example",), ("+972 3-555-0123",), owner=6),
    P(37, "Mateus", "Conceição", 10, ("mateus.conceicao@pinewood-analytics.example",), owner=2),
    P(38, "Ana-Maria", "Popescu", 11, ("ana-maria.popescu@lodz-systemy.example",),
      ("+40 21 555 0100",), owner=4),
    P(39, "Krzysztof", "Kowalczyk", 11, ("k.kowalczyk@lodz-systemy.example",), owner=4),
    P(40, "浩", "渡辺", 5, ("h.watanabe@sakura-seiko.example",), ("+81 6-5555-0199",), owner=3,
      family_first=True),
    P(41, "静", "陈", 6, ("chen.jing@dongfang-trade.example",), owner=3, full_name="陈静"),
    P(42, "Αλέξανδρος", "Γεωργίου", 4, ("a.georgiou@olympia-shipping.example",), owner=4),
    P(43, "Olivia", "Martin", None, ("olivia.martin@mail.example|home",),
      ("+1 415-555-0100|mobile",), ("Do not contact",)),
    P(44, "Lena", "Fischer", 1, ("lena.fischer@nordlicht.example",), ("+49 89 4520 1144",),
      owner=2),
    P(45, "Tobias", "Schmidt", 1, ("tobias.schmidt@nordlicht.example",), ("+49 89 4520 1155",),
      ("Cold lead",), owner=2),
]
# fmt: on
RICH_ID, MINIMAL_ID, HUGE_ID, REFERRER_ID = 1, 22, 14, 24
PICTURED = (1, 3, 8, 14, 18)


def build_organizations(clock: DemoClock) -> list[JSON]:
    """v2 organizations of the demo company."""
    result = []
    for (
        oid,
        name,
        street,
        number,
        city,
        postal,
        country,
        region,
        site,
        staff,
        owner,
    ) in ORGANIZATIONS:
        address = address_value(street, number, city, postal, country, region=region)
        address.pop("formatted_address")
        result.append(
            {
                "id": oid,
                "name": name,
                "owner_id": owner,
                "add_time": clock.v2(-1300 + oid * 17),
                "update_time": clock.v2(-20 - oid),
                "is_deleted": False,
                "visible_to": 3,
                "address": address,
                "label_ids": [],
                "website": f"https://www.{site}",
                "linkedin": None,
                "industry": None,
                "annual_revenue": None,
                "employee_count": staff,
                "custom_fields": {},
            }
        )
    return result


def _contacts(entries: tuple[str, ...]) -> list[JSON]:
    result = []
    for index, entry in enumerate(entries):
        value, _, label = entry.partition("|")
        result.append({"value": value, "primary": index == 0, "label": label or "work"})
    return result


def demo_custom_values(spec: PersonSpec, clock: DemoClock, rng: random.Random) -> JSON:
    """The custom field values of a demo company person."""
    if spec.id == RICH_ID:
        return rich_custom_values(clock, REFERRER_ID)
    if spec.id == MINIMAL_ID:
        return {}
    return sample_custom_values(rng, clock, spec.org)


RICH_EXTRAS: JSON = {
    "notes": "Prefers calls in the morning; French or English.",
    "im": [
        {"value": "elodie.marchand", "primary": True, "label": "skype"},
        {"value": "+33612345678", "primary": False, "label": "whatsapp"},
    ],
    "birthday": "1984-06-21",
    "postal_address": address_value("Avenue Jean Médecin", "21", "Nice", "06000", "France"),
}


def build_person(
    spec: PersonSpec, clock: DemoClock, custom: JSON, *, picture_id: int | None = None
) -> JSON:
    """A v2 person (with contact-sync fields) from its spec and custom field values."""
    name = f"{spec.last} {spec.first}" if spec.family_first else f"{spec.first} {spec.last}"
    name = spec.full_name or name
    return {
        "id": spec.id,
        "name": name,
        "first_name": spec.first,
        "last_name": spec.last,
        "owner_id": spec.owner,
        "org_id": spec.org,
        "add_time": clock.v2(-900 + spec.id * 13, 10, spec.id % 60),
        "update_time": clock.v2(-(spec.id % 30) - 1, 15, spec.id % 60),
        "emails": _contacts(spec.emails),
        "phones": _contacts(spec.phones),
        "is_deleted": spec.deleted,
        "visible_to": 1 if "Do not contact" in spec.labels else 3,
        "label_ids": [LABEL[label] for label in spec.labels],
        "picture_id": picture_id,
        "custom_fields": custom,
        "notes": None,
        "im": [],
        "birthday": None,
        "job_title": spec.job,
        "postal_address": None,
    }
