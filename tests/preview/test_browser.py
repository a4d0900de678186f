"""The demo in headless Chromium: what a user clicks through, against the real add-on service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from cardin.commands.servers import BackgroundServer
from cardin.preview.app import create_demo_app
from cardin.preview.launch import CHROMIUM, CHROMIUM_ARGS, free_port
from cardin.sandbox import DEMO_TOKEN
from tests.preview.stand_in import with_stand_in

pytestmark = pytest.mark.browser
expect: Any = pytest.importorskip("playwright.sync_api").expect


def panel(page: Any) -> Any:
    """The side panel's content."""
    return page.locator("#panel-content")


def press(page: Any, target: Any) -> None:
    """Click something in the side panel and wait for the add-on's answer to be drawn."""
    target.click()
    page.wait_for_function("() => !document.getElementById('panel').classList.contains('busy')")


def button(page: Any, text: str) -> Any:
    """A card button (or footer button) by its exact text."""
    return panel(page).locator(".btn", has_text=text).first


def open_mail(page: Any, key: str) -> None:
    """Open a demo mail from the inbox, as a user does."""
    page.goto(page.url.split("/preview/")[0].rstrip("/") + "/")
    page.click(f"[data-mail={key}]")
    expect(panel(page).locator(".card-header")).to_be_visible()


def test_a_known_sender_shows_name_labels_deals_and_activities(page: Any) -> None:
    open_mail(page, "solar-renewal")

    card = panel(page)
    expect(card.locator(".header-title")).to_have_text("Élodie Marchand")
    expect(card.locator(".chip", has_text="Customer")).to_be_visible()
    expect(card.locator(".chip", has_text="VIP")).to_be_visible()
    for header in ("Deals", "Activities", "Background", "Contact owner"):
        expect(card.locator(".section-header", has_text=header)).to_be_visible()
    expect(card.locator(".header-image")).to_have_js_property("naturalWidth", 128)
    expect(card.locator(".unknown")).to_have_count(0)


def test_an_unknown_sender_is_added_with_the_form_and_then_has_a_card(page: Any) -> None:
    open_mail(page, "introduction")
    expect(panel(page).locator(".header-subtitle")).to_have_text("Not in Pipedrive")

    press(page, button(page, "Add to Pipedrive"))
    expect(panel(page).locator(".header-title")).to_have_text("Add contact")
    expect(panel(page).locator("input[name=person_name_input]")).to_have_value("Robin Hale")
    panel(page).locator("input[name=org_input]").fill("Hale Ventures")
    panel(page).locator("input[name=job_title_input]").fill("Partner")
    press(page, button(page, "Add contact"))

    expect(page.locator("#toast")).to_contain_text("Robin Hale was added to Pipedrive")
    expect(panel(page).locator(".header-title")).to_have_text("Robin Hale")
    expect(panel(page).get_by_text("nobody@unknown.example", exact=True)).to_be_visible()
    expect(panel(page).get_by_text("Hale Ventures").first).to_be_visible()
    open_mail(page, "introduction")
    expect(panel(page).locator(".header-title")).to_have_text("Robin Hale")
    expect(panel(page).get_by_text("Not in Pipedrive")).to_have_count(0)


def test_log_an_email_then_the_card_says_logged(page: Any) -> None:
    open_mail(page, "solar-renewal")
    press(page, button(page, "Log email"))
    expect(panel(page).locator(".header-title")).to_have_text("Log email")
    panel(page).locator("[name=comment_input]").fill("Renewal offer by Friday")
    press(page, button(page, "Log email"))

    expect(page.locator("#toast")).to_contain_text("Email logged to Pipedrive")
    expect(panel(page).get_by_text("Logged to Pipedrive on", exact=False)).to_be_visible()
    expect(panel(page).locator(".btn", has_text="Log email")).to_have_count(0)
    open_mail(page, "solar-renewal")
    expect(panel(page).get_by_text("Logged to Pipedrive on", exact=False)).to_be_visible()


def test_add_a_note_after_the_empty_one_is_refused(page: Any) -> None:
    open_mail(page, "solar-renewal")
    press(page, button(page, "Add note"))
    press(page, button(page, "Add note"))  # empty: Google's required check, or ours
    expect(panel(page).locator(".header-title")).to_have_text("Add note")
    panel(page).locator("[name=note_input]").fill("Prefers calls after 3 pm")
    press(page, button(page, "Add note"))

    expect(page.locator("#toast")).to_contain_text("Note added")
    expect(panel(page).get_by_text("Prefers calls after 3 pm").first).to_be_visible()


def test_schedule_an_activity_and_mark_it_done(page: Any) -> None:
    open_mail(page, "solar-renewal")
    press(page, button(page, "Schedule activity"))
    subject = panel(page).locator("input[name=subject_input]")
    expect(subject).to_have_value("Follow up: Solar park: renewing the supply contract for 2027")
    subject.fill("Send the renewal offer")
    press(page, button(page, "Schedule"))
    expect(page.locator("#toast")).to_contain_text("Activity scheduled")
    expect(panel(page).get_by_text("6 done", exact=False)).to_be_visible()

    # The activities summary ("Next: Send the renewal offer · …") names it too when it is the next
    # one, which depends on the hour the test runs: take the row that carries the button.
    rows = panel(page).locator(".decorated", has_text="Send the renewal offer")
    expect(rows.locator(".btn", has_text="Mark as done")).to_have_count(1)
    press(page, rows.locator(".btn", has_text="Mark as done"))

    expect(page.locator("#toast")).to_contain_text("Marked as done")
    expect(rows.locator(".btn", has_text="Mark as done")).to_have_count(0)
    expect(panel(page).get_by_text("7 done", exact=False)).to_be_visible()


def test_create_a_deal_refuses_a_word_as_value_then_creates_it(page: Any) -> None:
    open_mail(page, "solar-renewal")
    press(page, button(page, "Create deal"))
    panel(page).locator("input[name=title_input]").fill("Antibes second site")
    panel(page).locator("input[name=value_input]").fill("lots")
    press(page, button(page, "Create deal"))
    expect(panel(page).get_by_text("Enter a number", exact=False)).to_be_visible()
    expect(panel(page).locator("input[name=title_input]")).to_have_value("Antibes second site")

    panel(page).locator("input[name=value_input]").fill("48000")
    press(page, button(page, "Create deal"))

    expect(page.locator("#toast")).to_contain_text("Deal created")
    expect(panel(page).get_by_text("Antibes second site").first).to_be_visible()


def test_the_setup_wizard_connects_a_second_company(page: Any) -> None:
    token = page.locator("[data-token=second]").inner_text()
    press(page, button(page, "Add another account"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 1 of 4")
    panel(page).locator("input[name=name_input]").fill("Second Sight")
    press(page, button(page, "Next"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 2 of 4")
    press(page, button(page, "Next"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 3 of 4")
    press(page, button(page, "Next"))  # an empty token is refused
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 3 of 4")
    panel(page).locator("input[name=token_input]").fill(token)
    press(page, button(page, "Next"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 4 of 4")
    panel(page).locator("label.choice", has_text="Automatically").click()
    press(page, button(page, "Save"))

    expect(panel(page).locator(".decorated-text", has_text="Second Sight")).to_be_visible()
    open_mail(page, "joint-workshop")
    second = panel(page).locator(".decorated", has_text="Second Sight")
    expect(second.locator(".btn")).to_have_text("Has match")
    press(page, second)
    expect(panel(page).locator(".header-title")).to_have_text("Katharina Weber")
    expect(panel(page).locator("[data-back]")).to_be_visible()


def test_a_changed_token_asks_for_reauthorization_and_a_new_token_fixes_it(page: Any) -> None:
    page.click("[data-rotate=demo]")
    new_token = page.locator("[data-token=demo]").inner_text()
    assert new_token != "demo-0123456789abcdef0123456789abcdef0001"

    open_mail(page, "delivery-question")
    expect(panel(page).locator(".header-subtitle")).to_have_text("New API token needed")
    press(page, button(page, "Update the connector"))
    panel(page).locator("input[name=token_input]").fill(new_token)
    press(page, button(page, "Save"))

    expect(page.locator("#toast")).to_contain_text("Token updated")
    open_mail(page, "delivery-question")
    expect(panel(page).locator(".header-title")).to_have_text("Sam Lee")


def test_show_all_deals_pushes_a_card_and_back_returns(page: Any) -> None:
    open_mail(page, "fleet-order")
    deals = panel(page).locator(".section", has=page.locator(".section-header", has_text="Deals"))

    press(page, deals.locator(".btn", has_text="Show all 200"))

    expect(panel(page).locator("[data-card-name=list_deals]")).to_be_visible()
    expect(panel(page).locator(".section-header", has_text="Open deals")).to_be_visible()
    assert panel(page).locator(".decorated").count() > 20
    press(page, panel(page).locator("[data-back]"))
    expect(panel(page).locator(".header-title")).to_have_text("Henrik Lindqvist")
    expect(panel(page).locator("[data-back]")).to_have_count(0)


def _deal_numbers(page: Any) -> list[int]:
    """The order numbers of the huge contact's deal rows on the card shown ("… — order 16"),
    not of a note that names a deal in bold after other words."""
    found: list[int] = page.evaluate(
        """() => [...document.querySelectorAll('#panel-content .decorated b')]
            .filter(b => !b.previousSibling)
            .map(b => b.textContent.match(/ — order (\\d+)$/))
            .filter(m => m).map(m => Number(m[1]))"""
    )
    return found


def test_all_200_deals_are_reachable_by_paging(page: Any) -> None:
    open_mail(page, "fleet-order")
    deals = panel(page).locator(".section", has=page.locator(".section-header", has_text="Deals"))
    press(page, deals.locator(".btn", has_text="Show all 200"))

    seen = _deal_numbers(page)
    expect(panel(page).get_by_text("1–")).to_be_visible()
    while button(page, "Next").count():
        press(page, button(page, "Next"))
        expect(panel(page).locator("[data-card-name=list_deals]")).to_be_visible()
        seen += _deal_numbers(page)
    assert sorted(seen) == list(range(1, 201))
    expect(panel(page).get_by_text("of 200")).to_be_visible()
    press(page, button(page, "Previous"))
    assert _deal_numbers(page)


def test_a_deal_beyond_the_fifth_opens_with_its_notes_and_activities(page: Any) -> None:
    open_mail(page, "fleet-order")
    deals = panel(page).locator(".section", has=page.locator(".section-header", has_text="Deals"))
    press(page, deals.locator(".btn", has_text="Show all 200"))
    # order 16 has a note and an activity (the demo's notes on the huge contact's deals)
    while 16 not in _deal_numbers(page):
        press(page, button(page, "Next"))
    # beyond the fifth: not among the deals the contact card details
    assert _deal_numbers(page).index(16) >= 5 or button(page, "Previous").count()
    row = panel(page).locator(
        ".decorated", has=page.get_by_text("Henrik Lindqvist — order 16", exact=True)
    )
    press(page, row.first)

    card = panel(page).locator("[data-card-name=deal]")
    expect(card).to_be_visible()
    expect(panel(page).locator(".header-title")).to_have_text("Henrik Lindqvist — order 16")
    expect(panel(page).locator(".section-header", has_text="Notes")).to_be_visible()
    expect(panel(page).locator(".section-header", has_text="Activities")).to_be_visible()
    expect(panel(page).get_by_text("the delivery window was agreed")).to_be_visible()
    press(page, panel(page).locator("[data-back]"))
    expect(panel(page).locator("[data-card-name=list_deals]")).to_be_visible()


def test_a_long_note_of_a_deal_beyond_the_fifth_read_whole(page: Any) -> None:
    open_mail(page, "fleet-order")
    deals = panel(page).locator(".section", has=page.locator(".section-header", has_text="Deals"))
    press(page, deals.locator(".btn", has_text="Show all 200"))
    while 16 not in _deal_numbers(page):  # order 16 has the demo's long deal note
        press(page, button(page, "Next"))
    row = panel(page).locator(
        ".decorated", has=page.get_by_text("Henrik Lindqvist — order 16", exact=True)
    )
    press(page, row.first)
    expect(panel(page).locator("[data-card-name=deal]")).to_be_visible()
    expect(panel(page)).to_contain_text("Loading plan")
    expect(panel(page)).not_to_contain_text("Crane slot 180")

    press(page, button(page, "Read the whole note"))

    expect(panel(page).locator("[data-card-name=note]")).to_be_visible()
    expect(panel(page)).to_contain_text("Crane slot 001")
    for _ in range(20):  # far more pages than the note has
        if not panel(page).locator(".btn", has_text="Next").count():
            break
        press(page, button(page, "Next"))
    expect(panel(page)).to_contain_text("Crane slot 180")
    press(page, panel(page).locator("[data-back]"))
    expect(panel(page).locator("[data-card-name=deal]")).to_be_visible()
    expect(panel(page).locator(".header-title")).to_have_text("Henrik Lindqvist — order 16")


def test_a_notification_alone_keeps_what_the_user_typed(page: Any) -> None:
    field = panel(page).locator("input[name=search_email]")
    field.fill("bob")

    press(page, button(page, "Search"))

    expect(page.locator("#toast")).to_contain_text("Please enter a valid email address.")
    expect(field).to_have_value("bob")
    field.fill("nobody@unknown.example")
    press(page, button(page, "Search"))  # the same drawn card still answers
    expect(panel(page).locator(".header-subtitle")).to_have_text("Not in Pipedrive")


def test_back_in_a_stale_tab_reloads_instead_of_popping_the_other_tabs_card(page: Any) -> None:
    press(page, button(page, "Add another account"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 1 of 4")
    other = page.context.new_page()  # same cookie, so the same side panel
    other.goto(page.url)
    press(other, button(other, "Add another account"))
    expect(panel(other).locator(".header-subtitle")).to_have_text("Step 1 of 4")
    page.evaluate("window.notReloaded = true")

    panel(page).locator("[data-back]").click()

    page.wait_for_function("() => window.notReloaded === undefined")
    expect(panel(page).locator(".card-header")).to_have_count(1)
    expect(panel(page).locator(".card")).to_have_attribute("data-card-name", "home")
    other.close()


def current_demo_token(demo_url: str) -> str:
    """The demo account's token as the sandbox has it now."""
    companies = httpx.get(f"{demo_url}/_sandbox/tokens", timeout=10).json()["companies"]
    aurora = next(c for c in companies if c["name"] == "Aurora Demo Trading")
    return str(next(t["token"] for t in aurora["tokens"] if t["user_name"] == "Maria Svensson"))


def test_another_site_cannot_change_a_token_or_click(browser: Any, demo_url: str) -> None:
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(demo_url + "/")  # the user has the demo open in the same browser
    attacker = """<!doctype html><body>
      <form id="f" method="post" action="%s/preview/tokens/demo/rotate"></form>
      <script>
        fetch("%s/preview/click", {method: "POST", mode: "no-cors", credentials: "include",
          headers: {"content-type": "text/plain"}, body: '{"version":1,"click":0,"inputs":[]}'});
        setTimeout(() => document.getElementById("f").submit(), 300);
      </script></body>"""
    context.route(
        "http://evil.example/**",
        lambda route: route.fulfill(content_type="text/html", body=attacker % (demo_url, demo_url)),
    )
    evil = context.new_page()
    with evil.expect_navigation(url=f"{demo_url}/**"):
        evil.goto("http://evil.example/")

    assert "Cross-site request refused" in evil.content()
    assert current_demo_token(demo_url) == DEMO_TOKEN
    context.close()


def test_a_rebound_host_name_cannot_read_the_tokens(browser: Any, demo_url: str) -> None:
    port = demo_url.rsplit(":", 1)[1]
    rebound = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"],
    )
    try:
        tab = rebound.new_page()
        answer = tab.goto(f"http://evil.example:{port}/_sandbox/tokens")
        assert answer is not None
        assert answer.status == 400
        assert DEMO_TOKEN not in tab.content()
        loopback = tab.goto(f"http://localhost:{port}/_sandbox/tokens")
        assert loopback is not None
        assert loopback.status == 200
    finally:
        rebound.close()


def test_a_withdrawn_permission_is_asked_for_again_and_allow_shows_the_card(page: Any) -> None:
    permission = page.locator("[data-permission=metadata]")
    permission.locator("[data-revoke=metadata]").click()
    expect(permission).to_contain_text("not allowed")

    page.click("[data-mail=delivery-question]")
    dialog = panel(page).locator(".consent")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("View your email message metadata when the add-on is running")
    press(page, dialog.locator("[data-consent=cancel]"))
    expect(dialog).to_have_count(0)
    expect(panel(page).locator(".panel-problem")).to_contain_text("You did not allow")

    page.reload()
    press(page, panel(page).locator(".consent [data-consent=allow]"))

    expect(panel(page).locator(".consent")).to_have_count(0)
    expect(panel(page).locator(".header-title")).to_have_text("Sam Lee")
    page.reload()
    expect(page.locator("[data-revoke=metadata]")).to_be_visible()


def test_including_the_message_text_asks_google_and_keeps_what_was_typed(
    browser: Any, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_demo_app(url, tmp_path)
    addon = with_stand_in(app)  # the Log email form as specified, until the add-on has it
    with BackgroundServer(app, port=port):
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        context.set_default_timeout(15_000)
        tab = context.new_page()
        tab.goto(f"{url}/preview/mail/solar-renewal")
        comment = panel(tab).locator("input[name=comment]")
        comment.fill("Called back")
        panel(tab).locator("label.switch").click()

        press(tab, button(tab, "Log email"))
        dialog = panel(tab).locator(".consent")
        expect(dialog).to_contain_text("View your email messages when the add-on is running")
        press(tab, dialog.locator("[data-consent=cancel]"))

        expect(dialog).to_have_count(0)
        expect(comment).to_have_value("Called back")
        expect(panel(tab).locator("input[name=include_text]")).to_be_checked()
        press(tab, button(tab, "Log email"))  # the same card asks again
        press(tab, panel(tab).locator(".consent [data-consent=allow]"))

        expect(panel(tab).locator(".consent")).to_have_count(0)
        expect(panel(tab)).to_contain_text(
            "Called back: our board approved the budget for the second phase."
        )
        assert len(addon.events) == 3  # asked, asked again, repeated after Allow
        context.close()


def test_a_long_note_cut_and_read_whole(page: Any) -> None:
    open_mail(page, "fleet-order")
    background = panel(page).locator(
        ".section", has=page.locator(".section-header", has_text="Background")
    )
    expect(background).to_contain_text("Shipment log")
    expect(background).not_to_contain_text("Shipment 0450")

    press(page, background.locator(".btn", has_text="Read the whole note").first)

    expect(panel(page).locator("[data-card-name=note]")).to_be_visible()
    expect(panel(page)).to_contain_text("Shipment 0001")
    expect(panel(page)).to_contain_text("Page 1 of")
    for _ in range(20):  # far more pages than the note has
        if not panel(page).locator(".btn", has_text="Next").count():
            break
        press(page, button(page, "Next"))
    expect(panel(page)).to_contain_text("Shipment 0450")
    expect(button(page, "Previous")).to_be_visible()
    press(page, panel(page).locator("[data-back]"))
    expect(panel(page).locator(".header-title")).to_have_text("Henrik Lindqvist")
    expect(panel(page).locator("[data-card-name=note]")).to_have_count(0)


def test_the_dashboard_setting_on_off_with_two_connectors(page: Any) -> None:
    """A second account, named after its company by default: off, one row with its state at the
    top; on (edited in step 4), its contact in full on the message card under its name."""
    token = page.locator("[data-token=second]").inner_text()
    press(page, button(page, "Add another account"))
    press(page, button(page, "Next"))  # the name left as offered
    press(page, button(page, "Next"))
    panel(page).locator("input[name=token_input]").fill(token)
    press(page, button(page, "Next"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 4 of 4")
    panel(page).locator("label.choice", has_text="Automatically").click()
    press(page, button(page, "Save"))  # the dashboard switch left off, as offered
    name = "Pipedrive · Second Sight Studio"
    expect(panel(page).locator(".decorated-text", has_text=name)).to_be_visible()

    open_mail(page, "joint-workshop")
    headers = panel(page).locator(".section-header")
    expect(headers.first).to_have_text("Other accounts")  # above the contact, not under it
    row = panel(page).locator(".decorated", has_text=name)
    expect(row.locator(".btn")).to_have_text("Has match")
    expect(panel(page).locator(".section-header", has_text=name)).to_have_count(0)

    page.goto(page.url.split("/preview/")[0].rstrip("/") + "/")
    press(page, panel(page).locator(".decorated", has_text=name))  # the row edits it
    for _ in range(3):
        press(page, button(page, "Next"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 4 of 4")
    panel(page).locator("label.switch").click()
    press(page, button(page, "Save"))

    open_mail(page, "joint-workshop")
    expect(panel(page).locator(".header-title")).to_have_text("Katharina Weber")
    expect(panel(page).locator(".section-header", has_text=name)).to_be_visible()
    expect(panel(page).locator(".btn", has_text="Has match")).to_have_count(0)


def test_the_german_demo(page: Any) -> None:
    """Deutsch and Tokyo chosen on the page: the panel is German; the lapsed trial's token is
    saved and its account shows the Payment state ("Zahlung")."""
    page.select_option("[data-region=locale]", "de-DE")
    page.select_option("[data-region=zone]", "Asia/Tokyo")
    page.click("[data-region=apply]")
    expect(page.locator("[data-region=locale]")).to_have_value("de-DE")
    expect(panel(page).locator(".section-header", has_text="Ihre Pipedrive-Konten")).to_be_visible()

    token = page.locator("[data-token=inactive]").inner_text()
    press(page, button(page, "Weiteres Konto hinzufügen"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Schritt 1 von 4")
    panel(page).locator("input[name=name_input]").fill("Lapsed")
    press(page, button(page, "Weiter"))
    press(page, button(page, "Weiter"))
    panel(page).locator("input[name=token_input]").fill(token)
    press(page, button(page, "Weiter"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Schritt 4 von 4")
    expect(page.locator("#toast")).to_contain_text("derzeit inaktiv")
    panel(page).locator("label.choice", has_text="Automatisch").click()
    press(page, button(page, "Speichern"))

    open_mail(page, "solar-renewal")
    expect(panel(page).locator(".section-header", has_text="Aktivitäten")).to_be_visible()
    lapsed = panel(page).locator(".decorated", has_text="Lapsed")
    expect(lapsed.locator(".btn")).to_have_text("Zahlung")
    press(page, lapsed)
    expect(panel(page)).to_contain_text("Dieses Pipedrive-Konto ist inaktiv")
