"""Hand-written history of the demo's showcase contacts: formatted notes, activity types, money.

Notes on a deal carry the deal's person and organization too, as notes added on a deal in
Pipedrive's web app do, so `GET /v1/notes?person_id=` also returns them (with `deal_id` set).
"""

from __future__ import annotations

from typing import Any

from cardin.sandbox.demo_fields import address_value
from cardin.sandbox.demo_history import ActivitySpec, DealSpec, History

A, D = ActivitySpec, DealSpec
RICH, RICH_ORG, FRANCOIS = 1, 2, 24
PINNED_DAYS = -30  # the pinned note of the rich contact

# fmt: off
FORMATTED_NOTES = (
    (-6, ("<div><b>Kick-off call</b> with <i>Élodie</i> — we agreed on the <u>next steps</u>:"
          "</div><ul><li>Send the revised quote</li><li>Book a site visit in <b>Nice</b></li>"
          "<li>Share uptime statistics for 2025</li></ul>")),
    (PINNED_DAYS, ("<div>Their procurement process:</div><ol><li>RFQ in March</li>"
                   "<li>Shortlist of three</li><li>Board approval (usually <b>6 weeks</b>)</li>"
                   "</ol>")),
    (-15, ('<div>Shared the <a href="https://www.example.com/case-studies/antibes" '
           'target="_blank">Antibes case study</a> and our '
           '<a href="mailto:support@aurora-demo.example">support address</a>.</div>')),
    (-90, "<div><s>Budget frozen until Q3</s> — budget released after the board meeting!</div>"),
    (-2, "Called back about the quote.\nShe will forward it to legal.\n\nFollow up on Friday."),
)
HOSTILE_NOTE = (
    "<div>Imported from the old CRM</div><script>alert('xss')</script>"
    '<img src="x" onerror="alert(document.cookie)">'
    '<a href="javascript:alert(1)">Click for details</a>'
    '<p style="color:red" onclick="steal()">Contact owner changed</p>'
)
ON_SITE = address_value("Chemin de la Colle", "5", "Antibes", "06600", "France")
MUNICH_FAIR = address_value("Am Messesee", "2", "München", "81829", "Germany", region="Bayern")
GUESTS: tuple[dict[str, Any], ...] = (
    {"email": "elodie.marchand@cotedazur-energies.example", "name": "Élodie Marchand",
     "status": "accepted", "is_organizer": False, "person_id": RICH, "user_id": None},
    {"email": "maria.svensson@aurora-demo.example", "name": "Maria Svensson",
     "status": "accepted", "is_organizer": True, "person_id": None, "user_id": 1},
)
RICH_DEALS = (
    D("Solar park maintenance 2026", RICH, RICH_ORG, 480_000, "EUR", stage=4, added=-120,
      expected=30),
    D("Inverter sensor retrofit", RICH, RICH_ORG, 125_000, "USD", stage=2, added=-45, expected=75),
    D("Battery storage pilot", RICH, RICH_ORG, 64_000, "GBP", "won", 5, added=-400, closed=-300,
      expected=-310),
    D("Grid analytics licence", RICH, RICH_ORG, 38_000, "EUR", "lost", 3, added=-260,
      closed=-190, expected=-200, lost_reason="Chose a competitor with local support in Nice"),
    D("Nordic distribution partnership", RICH, RICH_ORG, 1_200_000, "SEK", stage=7, added=-60,
      expected=120),
    D("Spare parts framework 2023", RICH, RICH_ORG, 15_000, "EUR", "won", 5, added=-800,
      closed=-700, expected=-720),
    D("Duplicate: Solar park maintenance", RICH, RICH_ORG, 480_000, "EUR", added=-119,
      deleted=True),
)
# fmt: on


def _rich_activities(deal: list[int]) -> tuple[ActivitySpec, ...]:
    """Every activity type on the rich contact: done, overdue, due today and planned."""
    # fmt: off
    return (
        A("Quarterly check-in", "call", -7, RICH, RICH_ORG, deal[0]),
        A("Send the revised quote", "task", -3, RICH, RICH_ORG, deal[0], done=False, at=None,
          duration=None, note="<div>Include the <b>two-visit</b> option.</div>"),
        A("On-site workshop in Antibes", "meeting", 2, RICH, RICH_ORG, deal[0], at="12:00:00",
          duration="01:30:00", location=ON_SITE, attendees=GUESTS, others=(FRANCOIS,),
          meeting_url="https://meet.google.com/abc-defg-hij"),
        A("Proposal deadline", "deadline", 10, RICH, RICH_ORG, deal[1], at=None, duration=None),
        A("Follow-up on storage pilot results", "email", -290, RICH, RICH_ORG, deal[2]),
        A("Lunch with Élodie and François", "lunch", 14, RICH, RICH_ORG, at="10:30:00",
          duration="01:00:00", others=(FRANCOIS,)),
        A("Grid analytics demo", "product_demo", -200, RICH, RICH_ORG, deal[3],
          duration="01:00:00"),
        A("Visit the Antibes solar park", "site_visit", -40, RICH, RICH_ORG, at="07:00:00",
          duration="03:00:00", location=ON_SITE),
        A("Review the NDA redlines", "contract_review", -1, RICH, RICH_ORG, deal[4], done=False),
        A("Energy storage webinar", "webinar", -60, RICH, RICH_ORG),
        A("Fax the signed order", "fax_legacy", -900, RICH, RICH_ORG),
        A("Intersolar Europe", "trade_fair", 30, RICH, RICH_ORG, at=None, duration=None,
          location=MUNICH_FAIR),
        A("Call about the budget", "call", 0, RICH, RICH_ORG, at="14:00:00", done=False),
    )
    # fmt: on


def add_rich_contact(history: History) -> None:
    """The showcase contact: deals in four currencies, every activity type, formatted notes."""
    deal = [history.deal(spec) for spec in RICH_DEALS]
    for activity in _rich_activities(deal):
        history.activity(activity)
    for days, content in FORMATTED_NOTES:
        history.note(content, days, person=RICH, org=RICH_ORG, pinned=days == PINNED_DAYS)
    history.note(HOSTILE_NOTE, -400, person=RICH, org=RICH_ORG)
    deal_notes = (
        (deal[0], -100, False, ("<div><b>Scope</b>: 14 parks, two visits a year each.<br>"
                                "Price per visit: <i>€1,250</i></div>")),
        (deal[2], -295, False, ("<div>Pilot went live — <b>98.7 %</b> availability in the "
                                "first month.</div>")),
        (deal[3], -189, True, ("<div>They went with <s>us</s> <b>SolarServ</b>. Ask again in "
                               "2027.</div>")),
    )  # fmt: skip
    for deal_id, days, pinned, content in deal_notes:
        history.note(content, days, person=RICH, org=RICH_ORG, deal=deal_id, pinned=pinned)


def add_other_stories(history: History) -> None:
    """Deals, activities and notes of a few other contacts, in JPY, EUR, GBP, SEK and USD."""
    # fmt: off
    yamada = history.deal(D("精密部品の年間供給契約", 8, 5, 12_500_000, "JPY", stage=4, owner=3,
                            added=-75, expected=40))
    history.deal(D("試作品の評価", 8, 5, 1_800_000, "JPY", "won", 5, owner=3, added=-300,
                   closed=-240, expected=-250))
    history.note("<div><b>打ち合わせメモ</b></div><ul><li>納期：3月末</li><li>数量：5,000個</li></ul>",
                 -12, person=8, org=5, deal=yamada, user=3)
    history.activity(A("仕様の打ち合わせ", "meeting", 4, 8, 5, yamada, owner=3, at="01:00:00",
                       duration="01:00:00"))
    weber = history.deal(D("CNC spare parts 2026", 3, 1, 86_000, "EUR", stage=3, owner=2,
                           added=-30, expected=45))
    history.deal(D("Service contract 2025", 3, 1, 42_000, "EUR", "won", 5, owner=2, added=-420,
                   closed=-380, expected=-390))
    history.activity(A("Clarify delivery dates", "call", 1, 3, 1, weber, owner=2))
    history.note("<div>Katharina asked for <u>quarterly invoicing</u>.</div>", -20, person=3,
                 org=1, user=2)
    for spec in (
        D("Harbour crane telemetry", 16, 9, 72_500, "GBP", stage=2, owner=6, added=-25,
          expected=60),
        D("Warehouse scanners", 15, 8, 340_000, "SEK", "won", 5, added=-200, closed=-150,
          expected=-160),
        D("Data platform rollout", 18, 10, 220_000, "USD", stage=5, owner=2, added=-90,
          expected=14),
        D("Dashboard add-on", 18, 10, 18_000, "USD", "lost", 3, owner=2, added=-150,
          closed=-100, expected=-110, lost_reason="Budget cut"),
        D("Partner programme", 12, 7, 150_000, "USD", stage=6, owner=6, added=-15, expected=90),
    ):
        history.deal(spec)
    # fmt: on


def add_huge_note(history: History, person: int, org: int) -> None:
    """One very long note (about 40,000 characters) on the huge contact."""
    row = "<li>Shipment {n:04d}: Göteborg → Rotterdam, 2 × 40' containers, delivered on time</li>"
    body = "".join(row.format(n=n) for n in range(1, 451))
    history.note(f"<div><b>Shipment log</b></div><ol>{body}</ol>", -3, person=person, org=org)


def add_deal_notes(history: History, person: int, org: int) -> None:
    """Notes on some of the huge contact's less relevant deals (every tenth from the sixth on),
    linked to the person too, as Pipedrive links a note added on a deal of theirs; and a long
    note on the sixteenth deal only."""
    theirs = [deal for deal in history.deals if deal["person_id"] == person]
    for deal in theirs[5::10]:
        title = deal["title"]
        history.note(
            f"<p>Call about <b>{title}</b>: the delivery window was agreed.</p>",
            -40,  # older than the shipment log, which stays among the newest notes
            person=person,
            deal=deal["id"],
            org=org,
        )
    # a long note on one of those deals only (not the person's): read whole from the deal's
    # card, which fetches it with the deal
    row = "<li>Crane slot {n:03d}: Bergen quay 4, reefer containers, checked and sealed</li>"
    rows = "".join(row.format(n=n) for n in range(1, 181))
    history.note(
        f"<div><b>Loading plan</b></div><ol>{rows}</ol>", -41, deal=theirs[15]["id"], org=org
    )
