"""Sign in with Pipedrive in the demo, in headless Chromium: the wizard's button opens the
sandbox's consent page in a new window, the callback asks to confirm, and the side panel
reloads when that window closes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.preview.test_browser import button, open_mail, panel, press

pytestmark = pytest.mark.browser
expect: Any = pytest.importorskip("playwright.sync_api").expect

SECOND = "Ravi Patel — Second Sight Studio"


def to_step3(page: Any, name: str) -> None:
    press(page, button(page, "Add another account"))
    panel(page).locator("input[name=name_input]").fill(name)
    press(page, button(page, "Next"))
    press(page, button(page, "Next"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 3 of 4")


def consent(page: Any, decision: str, *, who: str = SECOND) -> str:
    """Press "Sign in with Pipedrive", decide on the consent page, and press Connect on the
    callback's confirmation page; the text of the page that says how it went.

    The page that says it is connected closes its window, one with a problem is closed by the
    user; the demo page then reloads: wait for both.
    """
    with page.expect_popup() as opened:
        button(page, "Sign in with Pipedrive").click()
    popup = opened.value
    expect(popup.locator("h1")).to_have_text("Allow access to Pipedrive?")
    popup.locator("select[name=who]").select_option(label=who)
    with page.expect_event("load"):
        with popup.expect_navigation():
            popup.locator("button", has_text=decision).click()
        if decision == "Approve":
            question = popup.locator("#outcome").inner_text()
            assert question.startswith(f"Connect Pipedrive {who.split(' — ')[1]} (")
            assert " to Cardin for " in question
            with popup.expect_navigation():
                popup.locator("#connect").click()
        outcome = popup.locator("#outcome").inner_text()
        if decision == "Approve":
            popup.wait_for_event("close")
        else:
            popup.close()
    return str(outcome)


def sandbox(page: Any, path: str, *, post: bool = True) -> Any:
    """Call a control of the demo's sandbox."""
    url = page.url.split("/preview/")[0].rstrip("/") + "/_sandbox/oauth" + path
    response = page.request.post(url) if post else page.request.get(url)
    assert response.ok
    return response.json()


def run_second(page: Any) -> Any:
    """Open the mail Second Sight knows and run that (manual) connector: a fresh lookup."""
    open_mail(page, "joint-workshop")
    second = panel(page).locator(".decorated", has_text="Second Sight")
    expect(second.locator(".btn")).to_have_text("Manual")
    press(page, second)
    return panel(page)


def refresh(page: Any) -> Any:
    """The contact card's Refresh (in its menu): a lookup that skips the cached answer."""
    panel(page).locator("details.card-menu summary").click()
    press(page, panel(page).locator(".menu-item", has_text="Refresh"))
    return panel(page)


def test_sign_in_from_the_wizard_approve_and_see_the_contact(page: Any) -> None:
    to_step3(page, "Second Sight")
    told = consent(page, "Approve")
    assert told == "Connected to Second Sight Studio — return to Gmail."
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 4 of 4")
    panel(page).locator("label.choice", has_text="Only when I click").click()
    press(page, button(page, "Save"))
    expect(run_second(page).locator(".header-title")).to_have_text("Katharina Weber")
    assert sandbox(page, "", post=False)["refresh_requests"] == 0

    # Pipedrive ended the access token early (the demo's live a minute anyway): the next
    # lookup refreshes it once, silently, and finds the contact.
    assert sandbox(page, "/expire-access") == {"expired": 1}
    expect(refresh(page).locator(".header-title")).to_have_text("Katharina Weber")
    assert sandbox(page, "", post=False) == {"refreshes": 1, "refresh_requests": 1}

    # The user removed the app in Pipedrive: the connector needs the sign-in again.
    assert sandbox(page, "/revoke-all") == {"revoked": 1}
    assert sandbox(page, "/expire-access") == {"expired": 0}
    expect(refresh(page).locator(".header-subtitle")).to_have_text("Sign in again")
    press(page, button(page, "Sign in with Pipedrive"))
    expect(panel(page).locator(".header-subtitle")).to_have_text("Sign in again")
    assert consent(page, "Approve") == "Second Sight is connected again."
    expect(run_second(page).locator(".header-title")).to_have_text("Katharina Weber")


def test_deny_then_the_wizard_says_so(page: Any) -> None:
    to_step3(page, "Denied")
    told = consent(page, "Deny")
    assert told == "You declined access in Pipedrive, so nothing was connected."
    expect(panel(page).locator(".header-subtitle")).to_have_text("Step 3 of 4")
    expect(panel(page).get_by_text("You declined access in Pipedrive", exact=False)).to_be_visible()
    expect(button(page, "Sign in with Pipedrive")).to_be_visible()
