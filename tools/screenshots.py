"""Side-panel screenshots for the README: `.venv/bin/python tools/screenshots.py [--out DIR]`.

Starts the demo itself (its own temporary data, a free loopback port), drives the system Chromium
through the cases a reader wants to see, and saves PNGs (default: docs/screenshots/).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from cardin.preview.launch import CHROMIUM, CHROMIUM_ARGS, running_demo

ROOT = Path(__file__).resolve().parents[1]
WINDOW = {"width": 1440, "height": 900}
BUSY = "() => !document.getElementById('panel').classList.contains('busy')"
# the window height at which the side panel shows all of its card (top bar and margins added)
FIT = """() => {
  const part = (selector) => document.querySelector(selector)?.offsetHeight || 0;
  const cards = [...document.querySelector('#panel-content .panel-scroll').children];
  const content = cards.reduce((height, child) => height + child.offsetHeight, 0);
  const chrome = part('#panel-content .addon-bar') + part('#panel-content .fixed-footer');
  return 64 + 16 + chrome + content;
}"""


class Shooter:
    """Drives one browser tab through the demo and saves what the side panel shows."""

    def __init__(self, page: Page, base_url: str, out: Path) -> None:
        self.page = page
        self.base_url = base_url
        self.out = out
        self.saved: list[Path] = []

    def open(self, key: str | None = None) -> None:
        """Open the inbox (homepage card) or one demo mail."""
        self.page.goto(f"{self.base_url}/preview/mail/{key}" if key else f"{self.base_url}/")
        self.page.wait_for_selector("#panel-content .card-header")

    def press(self, text: str, *, within: str = "#panel-content") -> None:
        """Click a card button by its text and wait for the add-on's answer to be drawn."""
        self.page.evaluate("document.getElementById('toast').style.visibility = ''")
        self.page.locator(within).locator(".btn", has_text=text).first.click()
        self.page.wait_for_function(BUSY)

    def press_in(self, header: str, text: str) -> None:
        """Click a button of the card's section with this header."""
        panel = self.page.locator("#panel-content")
        heading = self.page.locator(".section-header", has_text=header)
        part = panel.locator(".section", has=heading)
        self.page.evaluate("document.getElementById('toast').style.visibility = ''")
        part.first.locator(".btn", has_text=text).first.click()
        self.page.wait_for_function(BUSY)

    def back(self) -> None:
        """Press the panel's back arrow and wait for the card under it."""
        self.page.locator("#panel-content [data-back]").click()
        self.page.wait_for_function(BUSY)

    def region(self, locale: str) -> None:
        """Choose the language the demo page's events carry (the panel redraws in it)."""
        self.page.select_option("[data-region=locale]", locale)
        with self.page.expect_navigation():
            self.page.click("[data-region=apply]")
        self.page.wait_for_selector("#panel-content .card-header")

    def quiet(self) -> None:
        """Hide the last notification (until the next press): a form's picture without it."""
        self.page.evaluate("document.getElementById('toast').style.visibility = 'hidden'")

    def fill(self, name: str, value: str) -> None:
        """Type into a card's text input."""
        self.page.locator(f"#panel-content [name={name}]").fill(value)

    def panel(self, name: str, *, height: int = 900, scroll_to: str | None = None) -> None:
        """Save the side panel alone, as tall as its card but at most `height` pixels."""
        fitted = min(height, max(560, int(self.page.evaluate(FIT))))
        self.page.set_viewport_size({"width": WINDOW["width"], "height": fitted})
        if scroll_to:
            target = self.page.locator("#panel-content").get_by_text(scroll_to, exact=True).first
            target.evaluate("(element) => element.scrollIntoView({block: 'start'})")
        self.page.mouse.move(0, 0)
        self._save(name, lambda path: self.page.locator("#panel").screenshot(path=path))
        self.page.set_viewport_size(WINDOW)

    def window(self, name: str) -> None:
        """Save the whole window: the inbox or mail beside the side panel."""
        self.page.mouse.move(0, 0)
        self._save(name, lambda path: self.page.screenshot(path=path))

    def _save(self, name: str, shoot: Callable[[Path], Any]) -> None:
        path = self.out / f"{name}.png"
        shoot(path)
        self.saved.append(path)


def tour(shots: Shooter) -> None:
    """Every case the README shows, in an order that builds on the previous steps."""
    shots.open("solar-renewal")
    shots.window("preview")
    shots.panel("contact-card", height=1500)
    shots.panel("contact-deals", height=1100, scroll_to="Deals")
    shots.press_in("Deals", "Show all")
    shots.panel("show-all-deals", height=1100)
    shots.back()
    _reach(shots)
    _writes(shots)
    shots.open("introduction")
    shots.panel("no-match")
    shots.press("Add to Pipedrive")
    shots.fill("job_title_input", "Partner")
    shots.panel("write-add-contact", height=1100)
    shots.back()
    _wizard(shots)
    _second_login(shots)
    shots.open()
    shots.panel("home-accounts")
    shots.open("joint-workshop")
    shots.panel("dashboard-accounts", scroll_to="Other accounts")
    _payment(shots)
    _german(shots)
    shots.page.locator("[data-rotate=demo]").click()
    shots.open("delivery-question")
    shots.panel("reauth")


def _deal_numbers(shots: Shooter) -> list[int]:
    """The order numbers of the huge contact's deal rows on the card shown ("… — order 16")."""
    found: list[int] = shots.page.evaluate(
        """() => [...document.querySelectorAll('#panel-content .decorated b')]
            .filter(b => !b.previousSibling)
            .map(b => b.textContent.match(/ — order (\\d+)$/))
            .filter(m => m).map(m => Number(m[1]))"""
    )
    return found


def _reach(shots: Shooter) -> None:
    """The contact with 200 deals: a later page of Show all, a deal past the fifth, a long note."""
    shots.open("fleet-order")
    shots.press_in("Deals", "Show all 200")
    shots.press("Next")
    shots.panel("show-all-page-2", height=1100, scroll_to="51–100 of 200")
    shots.press("Previous")
    while 16 not in _deal_numbers(shots):  # order 16 has notes and an activity
        shots.press("Next")
    row = shots.page.locator("#panel-content .decorated").filter(
        has=shots.page.get_by_text("Henrik Lindqvist — order 16", exact=True)
    )
    row.first.click()
    shots.page.wait_for_function(BUSY)
    shots.panel("deal-card", height=1100)
    shots.open("fleet-order")
    shots.press_in("Background", "Read the whole note")
    shots.panel("note-card", height=700)


def _writes(shots: Shooter) -> None:
    """Each write's form, and the contact card after it (the demo's rich contact)."""
    shots.open("solar-renewal")
    shots.press("Log email")
    shots.fill("comment_input", "She wants the renewal offer by Friday.")
    shots.panel("write-log-email", height=1100)
    shots.press("Log email")
    shots.panel("write-logged", height=700)
    shots.press("Add note")
    shots.fill("note_input", "Prefers calls after 3 pm.\nAsk about the second site in Antibes.")
    shots.quiet()
    shots.panel("write-note")
    shots.press("Add note")
    shots.press("Schedule activity")
    shots.quiet()
    shots.panel("write-activity", height=1100)
    shots.press("Schedule")
    shots.quiet()
    shots.panel("write-activity-done", height=1200, scroll_to="Activities")
    shots.press("Create deal")
    shots.fill("value_input", "48000")
    shots.quiet()
    shots.panel("write-deal", height=1100)
    shots.press("Create deal")


def _wizard(shots: Shooter) -> None:
    token = shots.page.locator("[data-token=second]").inner_text()
    shots.open()
    shots.press("Add another account")
    shots.panel("wizard-1-name")  # left as offered: saved as "Pipedrive · Second Sight Studio"
    shots.press("Next")
    shots.panel("wizard-2-features", height=1000)
    shots.press("Next")
    shots.fill("token_input", token)
    shots.panel("wizard-3-token")
    shots.press("Next")
    shots.page.locator("#panel-content label.choice", has_text="Automatically").click()
    shots.panel("wizard-4-behaviour")
    shots.press("Save")


def _payment(shots: Shooter) -> None:
    """The lapsed trial's token saved with the name offered; its row and card say Payment."""
    _add_account(shots, "inactive")
    # not delivery-question: the reauth step needs its demo result still uncached
    shots.open("quote-request")
    shots.page.locator("#panel-content .decorated", has_text="Payment").first.click()
    shots.page.wait_for_function(BUSY)
    shots.panel("payment", height=900)


def _german(shots: Shooter) -> None:
    """The rich contact with the page's language set to Deutsch, then the language as it was."""
    was = shots.page.locator("[data-region=locale]").input_value()
    shots.region("de-DE")
    shots.open("solar-renewal")
    shots.panel("german", height=1100)
    shots.region(was)


def _second_login(shots: Shooter) -> None:
    """A colleague's login of the demo company as a third, automatic connector."""
    _add_account(shots, "colleague", name="Aurora (Jonas)")


def _add_account(shots: Shooter, token: str, *, name: str | None = None) -> None:
    """The wizard run through with the demo token `token` (its name as offered, unless given),
    looking up automatically."""
    value = shots.page.locator(f"[data-token={token}]").inner_text()
    shots.open()
    shots.press("Add another account")
    if name is not None:
        shots.fill("name_input", name)
    shots.press("Next")
    shots.press("Next")
    shots.fill("token_input", value)
    shots.press("Next")
    shots.page.locator("#panel-content label.choice", has_text="Automatically").click()
    shots.press("Save")


def main(argv: list[str]) -> int:
    """Start the demo, take the screenshots, print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="cardin-shots-") as data,
        running_demo(Path(data)) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
        )
        context = browser.new_context(viewport=WINDOW, device_scale_factor=1)
        shots = Shooter(context.new_page(), url, args.out)
        tour(shots)
        browser.close()
    for path in shots.saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
