"""The General info section: job title, organization, labels, custom fields, emails, phones.

Then the utility rows: the status with the edit link, the created date and, folded away, the last
edit date.
"""

from __future__ import annotations

from collections.abc import Sequence

from cardin.cards import icons
from cardin.cards.actions import ListSection
from cardin.cards.context import CardContext
from cardin.cards.limits import Caps
from cardin.cards.parts import day_of, mailto, section_error, show_all, tel
from cardin.cards.widgets import (
    GREEN,
    GREY,
    Html,
    Json,
    bold,
    breakable_email,
    button,
    chip,
    chip_list,
    colored,
    decorated,
    esc,
    join,
    multiline,
    open_link,
    section,
)
from cardin.connectors.features import Feature
from cardin.contact.fields import display_text
from cardin.contact.model import (
    AddressValue,
    Contact,
    DateSpan,
    Email,
    FieldValue,
    Match,
    MoneyValue,
    OptionsValue,
    Phone,
    PhoneValue,
    Reference,
    RefKind,
    TextValue,
    TimeSpan,
)

_REFERENCE_ICONS = {
    RefKind.USER: "PERSON",
    RefKind.PERSON: "PERSON",
    RefKind.ORGANIZATION: "STORE",
}


def general_section(match: Match, ctx: CardContext, caps: Caps) -> Json:
    """Basic info, custom fields, emails, phones and utility rows; the last edit date folded."""
    widgets = [
        *basic_info(match, ctx),
        *custom_fields(match, ctx, caps.fields),
        *emails(match, ctx, caps.emails),
        *phones(match, ctx, caps.phones),
    ]
    utility, folded = utility_rows(match, ctx)
    widgets.extend(utility)
    visible = len(widgets)
    widgets.extend(folded)
    return section(widgets, header=ctx.msgs.text("section.general"), visible=visible)


# --- basic info ----------------------------------------------------------------------------


def basic_info(match: Match, ctx: CardContext) -> list[Json]:
    """Job title, organization with its link, labels as coloured tags (the name is the title)."""
    contact = match.contact
    widgets = []
    if contact.job_title:
        title = ctx.msgs.text("contact.job_title")
        widgets.append(
            decorated(contact.job_title, top=title, start_icon=icons.known("PERSON", title))
        )
    org = contact.organization
    if org is not None and ctx.has(Feature.ORGANIZATION):
        widgets.append(
            decorated(
                bold(org.name),
                top=ctx.msgs.text("contact.organization"),
                bottom=org.address,
                start_icon=icons.known("STORE", ctx.msgs.text("contact.organization")),
                on_click=open_link(org.url) if org.url else None,
            )
        )
    if contact.labels:
        widgets.append(_labels(contact, ctx))
    return widgets


def _labels(contact: Contact, ctx: CardContext) -> Json:
    """The labels as coloured chips, or (chips switched off) as one line of text."""
    alt = ctx.msgs.text("icon.label")
    if not ctx.chips:
        names = join([t.name for t in contact.labels])
        return decorated(names, start_icon=icons.label_icon(ctx, None, alt))
    tags = [chip(t.name, icon=icons.label_icon(ctx, t.color, alt)) for t in contact.labels]
    return chip_list(tags)


# --- custom fields -------------------------------------------------------------------------


def custom_fields(match: Match, ctx: CardContext, cap: int) -> list[Json]:
    """The non-empty custom fields (when the feature is on), cut at `cap` with "show all"."""
    contact = match.contact
    if not ctx.has(Feature.CUSTOM_FIELDS):
        return []
    if contact.fields_error is not None:
        return [section_error(ctx, contact.fields_error, match)]
    return field_rows(match, ctx, contact.fields, cap)


def field_rows(
    match: Match, ctx: CardContext, fields: Sequence[FieldValue], cap: int
) -> list[Json]:
    """Up to `cap` field rows, then "show all" if some were left out."""
    widgets = [field_widget(field, ctx) for field in fields[:cap]]
    more = show_all(
        ctx, match, ListSection.FIELDS, shown=len(widgets), available=len(fields), total=len(fields)
    )
    return [*widgets, more] if more else widgets


def field_widget(field: FieldValue, ctx: CardContext) -> Json:
    """One custom field: name above, value (localized), a link for references and phones."""
    value = field.value
    text: str | Html = display_text(value, ctx.fmt)
    if isinstance(value, Reference) and value.name is None:
        # Pipedrive no longer knows it (a deleted user, a hidden organization): say so.
        text = ctx.msgs.text(f"field.reference.unknown.{value.kind.value}", id=str(value.id))
    if isinstance(value, TextValue) and value.multiline:
        text = multiline(value.text)
    on_click = None
    if isinstance(value, Reference) and value.url:
        on_click = open_link(value.url)
    elif isinstance(value, PhoneValue):
        url = tel(value.number)
        on_click = open_link(url) if url else None
    icon = _field_icon(field)
    return decorated(text, top=field.name, start_icon=icon, on_click=on_click)


def _field_icon(field: FieldValue) -> Json:
    """A knownIcon hinting at the field's kind (every row has one, so the rows line up)."""
    value = field.value
    name = "DESCRIPTION"
    if isinstance(value, Reference):
        name = _REFERENCE_ICONS[value.kind]
    elif isinstance(value, MoneyValue):
        name = "DOLLAR"
    elif isinstance(value, DateSpan):
        name = "INVITE"
    elif isinstance(value, TimeSpan):
        name = "CLOCK"
    elif isinstance(value, PhoneValue):
        name = "PHONE"
    elif isinstance(value, AddressValue):
        name = "MAP_PIN"
    elif isinstance(value, OptionsValue):
        name = "BOOKMARK"
    return icons.known(name, field.name)


# --- emails and phones ---------------------------------------------------------------------


def emails(match: Match, ctx: CardContext, cap: int) -> list[Json]:
    """Every email up to `cap`: type icon and word, mailto link, "Primary" on the right."""
    items = match.contact.emails
    widgets = [email_widget(email, ctx) for email in items[:cap]]
    more = show_all(
        ctx, match, ListSection.EMAILS, shown=len(widgets), available=len(items), total=len(items)
    )
    return [*widgets, more] if more else widgets


def email_widget(email: Email, ctx: CardContext) -> Json:
    """One email row."""
    kind = _type_word(ctx, "email.type", email.label)
    link = open_link(mailto(email.value))
    return decorated(
        breakable_email(email.value),
        top=kind,
        start_icon=icons.email_icon(ctx, email.label, kind),
        on_click=link,
        button=_primary_badge(ctx, link) if email.is_primary else None,
    )


def phones(match: Match, ctx: CardContext, cap: int) -> list[Json]:
    """Every phone up to `cap`: type icon and word, tap to call, "Primary" on the right."""
    items = match.contact.phones
    widgets = [phone_widget(phone, ctx) for phone in items[:cap]]
    more = show_all(
        ctx, match, ListSection.PHONES, shown=len(widgets), available=len(items), total=len(items)
    )
    return [*widgets, more] if more else widgets


def phone_widget(phone: Phone, ctx: CardContext) -> Json:
    """One phone row; tapping it calls the number."""
    kind = _type_word(ctx, "phone.type", phone.label)
    url = tel(phone.value)
    link = open_link(url) if url else None
    badge = _primary_badge(ctx, link) if phone.is_primary and link else None
    return decorated(
        phone.value,
        top=kind,
        start_icon=icons.phone_icon(ctx, phone.label, kind),
        on_click=link,
        button=badge,
    )


def _type_word(ctx: CardContext, prefix: str, label: str) -> str:
    """The translated type (Work, Home...); a custom label Pipedrive sent is shown as is."""
    key = f"{prefix}.{label.strip().lower()}"
    return ctx.msgs.text(key) if ctx.msgs.has(key) else label.strip().capitalize()


def _primary_badge(ctx: CardContext, on_click: Json) -> Json:
    """The "Primary" mark on the right of a row: a button that does what the row does."""
    return button(ctx.msgs.text("contact.primary"), on_click, disabled=True)


# --- utility -------------------------------------------------------------------------------


def utility_rows(match: Match, ctx: CardContext) -> tuple[list[Json], list[Json]]:
    """Status with the edit link and the created date; the last edit date, folded away."""
    contact = match.contact
    status_key = "contact.active" if contact.is_active else "contact.inactive"
    status = ctx.msgs.text(status_key)
    edit = button(ctx.msgs.text("action.edit_in_pipedrive"), open_link(contact.url))
    shown = [
        decorated(
            colored(status, GREEN) if contact.is_active else colored(status, GREY),
            top=ctx.msgs.text("contact.status"),
            button=edit,
        )
    ]
    if contact.added is not None:
        shown.append(decorated(day_of(ctx, contact.added), top=ctx.msgs.text("contact.created")))
    folded = []
    if contact.updated is not None:
        edited = esc(ctx.fmt.datetime(contact.updated))
        ago = ctx.fmt.relative(contact.updated, ctx.now)
        folded.append(decorated(edited, top=ctx.msgs.text("contact.updated"), bottom=ago))
    return shown, folded
