"""The dataset: JSON data file round trip, and the invariants the demo data promises."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from cardin.sandbox import (
    CROSS_ACCOUNT_EMAIL,
    DEMO_COMPANY_ID,
    INACTIVE_COMPANY_ID,
    SECOND_COMPANY_ID,
    SHARED_EMAIL,
    Dataset,
    Sandbox,
    demo_dataset,
)
from cardin.sandbox.data import Company
from cardin.sandbox.demo_fields import DELETED_INTEREST_ID, DELETED_USER_ID, KEY

from .conftest import TODAY, client_for

FIELD_TYPES = {
    "varchar",
    "varchar_auto",
    "text",
    "double",
    "monetary",
    "date",
    "daterange",
    "time",
    "timerange",
    "set",
    "enum",
    "user",
    "org",
    "people",
    "phone",
    "address",
}


@pytest.fixture
def demo(dataset: Dataset) -> Company:
    """The demo company."""
    return dataset.company(DEMO_COMPANY_ID)


def test_the_data_file_round_trips(dataset: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    dataset.save(path)
    loaded = Dataset.load(path)
    assert loaded.to_json() == dataset.to_json()
    assert "Élodie" in path.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


async def test_a_loaded_file_serves_like_the_original(dataset: Dataset, tmp_path: Path) -> None:
    dataset.save(tmp_path / "data.json")
    async with client_for(Sandbox(Dataset.load(tmp_path / "data.json"))) as http:
        response = await http.get("/api/v2/persons/search", params={"term": SHARED_EMAIL})
    assert len(response.json()["data"]["items"]) == 2


@pytest.mark.parametrize(
    "content",
    [
        [],
        {"format": "other"},
        {"format": "cardin-sandbox-data/1", "companies": {}},
        {"format": "cardin-sandbox-data/1", "companies": [{"company": {"id": 1}}]},
        {
            "format": "cardin-sandbox-data/1",
            "companies": [
                {
                    "company": {"id": 1, "plan": "lite", "seats": 1, "active": True},
                    "persons": [1, 2],
                }
            ],
        },
    ],
)
def test_a_bad_data_file_raises_value_error(tmp_path: Path, content: object) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ValueError, match=r"sandbox data file|company|persons"):
        Dataset.load(path)


def test_the_demo_data_is_deterministic() -> None:
    assert demo_dataset(TODAY).to_json() == demo_dataset(TODAY).to_json()
    later = demo_dataset(date(2027, 1, 1)).company(DEMO_COMPANY_ID).activities[0]
    assert (
        later["due_date"] != demo_dataset(TODAY).company(DEMO_COMPANY_ID).activities[0]["due_date"]
    )


def test_three_companies(dataset: Dataset) -> None:
    assert [c.id for c in dataset.companies] == [
        DEMO_COMPANY_ID,
        SECOND_COMPANY_ID,
        INACTIVE_COMPANY_ID,
    ]
    assert [c.is_active for c in dataset.companies] == [True, True, False]
    assert dataset.company(DEMO_COMPANY_ID).plan == "premium"
    second = dataset.company(SECOND_COMPANY_ID)
    assert CROSS_ACCOUNT_EMAIL in {e["value"] for p in second.persons for e in p["emails"]}


def test_persons_organizations_and_scripts(demo: Company) -> None:
    assert len(demo.persons) >= 40
    assert len(demo.organizations) >= 10
    names = " ".join(person["name"] for person in demo.persons)
    for sample in ("é", "Д", "Γ", "山田 太郎", "王伟", "م", "נ", "Ł", "김민준", "राहुल"):
        assert sample in names
    emails = Counter(e["value"].lower() for p in demo.persons for e in p["emails"])
    assert emails[SHARED_EMAIL] == 2
    assert sum(person["is_deleted"] for person in demo.persons) == 1


def test_emails_and_phones_have_one_primary_and_real_labels(demo: Company) -> None:
    for person in demo.persons:
        for kind, labels in (
            ("emails", {"work", "home", "other"}),
            ("phones", {"work", "home", "mobile", "other"}),
        ):
            entries = person[kind]
            if entries:
                assert sum(entry["primary"] for entry in entries) == 1
                assert {entry["label"] for entry in entries} <= labels
    rich = demo.persons[0]
    assert {e["label"] for e in rich["phones"]} == {"work", "home", "mobile", "other"}


def test_all_16_custom_field_types_are_defined_and_used(demo: Company) -> None:
    custom = [f for f in demo.person_fields if f["edit_flag"] and f["active_flag"]]
    assert {f["field_type"] for f in custom} == FIELD_TYPES
    used = {
        f["field_type"]
        for f in custom
        for p in demo.persons
        if p["custom_fields"].get(f["key"]) is not None
    }
    assert used == FIELD_TYPES
    rich = demo.persons[0]["custom_fields"]
    assert DELETED_INTEREST_ID in rich[KEY["Interests"]]
    assert demo.get("users", rich[KEY["Account manager"]]) is None
    assert rich[KEY["Account manager"]] == DELETED_USER_ID


def test_labels_beyond_the_defaults_with_colours(demo: Company) -> None:
    labels = next(f for f in demo.person_fields if f["key"] == "label_ids")["options"]
    assert len(labels) > 4
    assert {"green", "red", "yellow", "blue", "purple"} <= {label["color"] for label in labels}


def test_deals_activities_notes_and_users(demo: Company) -> None:
    assert {"EUR", "USD", "GBP", "JPY", "SEK"} <= {deal["currency"] for deal in demo.deals}
    assert {"open", "won", "lost"} == {deal["status"] for deal in demo.deals}
    assert all(d["lost_reason"] for d in demo.deals if d["status"] == "lost")
    types = {a["type"] for a in demo.activities}
    assert {"call", "meeting", "task", "deadline", "email", "lunch"} <= types
    custom_icons = {t["icon_key"] for t in demo.activity_types if t["is_custom_flag"]}
    assert len(custom_icons) >= 3
    today = TODAY.isoformat()
    assert any(a["done"] for a in demo.activities)
    assert any(not a["done"] and a["due_date"] < today for a in demo.activities)
    assert any(not a["done"] and a["due_date"] > today for a in demo.activities)
    assert any(a["deal_id"] for a in demo.activities)
    assert [u["active_flag"] for u in demo.users].count(False) == 1


def test_notes_have_formatting_and_one_hostile_note(demo: Company) -> None:
    contents = " ".join(note["content"] for note in demo.notes)
    for tag in ("<b>", "<i>", "<u>", "<s>", "<a href", "<ul>", "<ol>", "<br>", "\n"):
        assert tag in contents
    hostile = [n for n in demo.notes if "<script>" in n["content"]]
    assert len(hostile) == 1
    assert "onerror=" in hostile[0]["content"]
    assert "javascript:" in hostile[0]["content"]


def test_the_huge_and_minimal_persons(demo: Company) -> None:
    deals = Counter(deal["person_id"] for deal in demo.deals)
    activities = Counter(activity["person_id"] for activity in demo.activities)
    notes = Counter(note["person_id"] for note in demo.notes)
    assert (deals[14], activities[14], notes[14]) >= (200, 500, 100)
    minimal = demo.persons[21]
    assert len(minimal["emails"]) == 1
    assert (minimal["phones"], minimal["org_id"], minimal["label_ids"]) == ([], None, [])
    assert (deals[22], activities[22], notes[22]) == (0, 0, 0)
