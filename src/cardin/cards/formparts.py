"""What every write form shares: the frame (title, footer with the submit and Cancel), the
problems beside their fields, Pipedrive's failure on top, and dropdowns cut to a sensible size."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cardin.actions import Reauth
from cardin.cards import icons
from cardin.cards.actions import call
from cardin.cards.context import CardContext
from cardin.cards.limits import fit
from cardin.cards.parts import retry_when
from cardin.cards.setup import cancel_button, colored_button, with_footer
from cardin.cards.widgets import (
    ELLIPSIS,
    GREY,
    RED,
    Html,
    Json,
    bold,
    button,
    card,
    colored,
    decorated,
    dropdown,
    lines,
    section,
    text_input,
)
from cardin.contact.outcome import Failure, FailureKind

MAX_OPTIONS = 50
"""Options in one dropdown (Google allows 100): more are cut, with a line saying so."""
RETRYABLE = frozenset({FailureKind.RATE_LIMITED, FailureKind.UNAVAILABLE})
"""Failures after which the same submit may succeed: the form offers Retry."""
# Kinds whose reason is ours or transport detail, never Pipedrive's words to the user.
_TECHNICAL = frozenset(
    {
        FailureKind.REAUTH,
        FailureKind.PAYMENT,
        FailureKind.RATE_LIMITED,
        FailureKind.UNAVAILABLE,
        FailureKind.BAD_RESPONSE,
        FailureKind.INTERNAL,
    }
)
_MAX_REASON = 300


@dataclass(frozen=True, kw_only=True)
class FieldProblem:
    """A message shown beside one field (or above the form when `field` is None)."""

    field: str | None
    """The input's name (cardin.actions.keys), e.g. SUBJECT_INPUT."""
    message_id: str
    """The catalog id, e.g. "form.required"."""
    values: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The message's placeholders."""


Field = tuple[str | None, Json]
"""An input's name (None: a widget that is no input) and its widget."""
Option = tuple[str, str, str | None]
"""A dropdown option: its text, its value, the URL of its icon (None: none)."""


@dataclass(frozen=True, kw_only=True)
class Frame:
    """A form's card around its fields: title and subtitle, problems and the last failure,
    sections shown before the fields, the submit button (label id, click) and the card name."""

    title: str
    subtitle: str | None
    problems: Sequence[FieldProblem]
    failure: Failure | None
    submit: tuple[str, Json]
    name: str
    before: Sequence[Json] = ()


def form_card(ctx: CardContext, frame: Frame, fields: Sequence[Field]) -> Json:
    """The failure and the problems of no shown field on top, `before`, then the fields each
    followed by its problems; the submit button and Cancel (pop) in the fixed footer."""
    label, on_submit = frame.submit
    names = {name for name, _ in fields if name is not None}
    loose = [p for p in frame.problems if p.field not in names]
    top = [*failure_rows(ctx, frame.failure, on_submit), *problem_rows(ctx, loose)]
    body: list[Json] = []
    for name, widget in fields:
        body.append(widget)
        if name is not None:
            body.extend(problem_rows(ctx, [p for p in frame.problems if p.field == name]))
    sections = [*([section(top)] if top else []), *frame.before, section(body)]
    built = card(
        title=ctx.msgs.text(frame.title),
        subtitle=frame.subtitle,
        sections=fit(sections),
        name=frame.name,
    )
    submit = colored_button(ctx.msgs.text(label), on_submit)
    return with_footer(built, submit, cancel_button(ctx))


def problem_rows(ctx: CardContext, problems: Sequence[FieldProblem]) -> list[Json]:
    """Each problem in red with the error icon."""
    icon = icons.served(ctx, "state_overdue", ctx.msgs.text("icon.error"))
    return [
        decorated(colored(ctx.msgs.text(p.message_id, **p.values), RED), start_icon=icon)
        for p in problems
    ]


def failure_rows(ctx: CardContext, failure: Failure | None, on_submit: Json) -> list[Json]:
    """What Pipedrive did with the last submit, in plain words: Retry (the same submit) when it
    may help, "Update the connector" when the token was refused, Pipedrive's own reason under a
    refusal; and that what was typed is still there."""
    if failure is None:
        return []
    msgs = ctx.msgs
    key = f"form.failure.{failure.kind}"
    words: list[str | Html] = [bold(msgs.text(key if msgs.has(key) else "form.failure.other"))]
    if failure.kind is FailureKind.RATE_LIMITED:
        words.append(msgs.text("error.retry", when=retry_when(ctx, failure.retry_after)))
    reason = failure.reason.strip()
    if reason and failure.kind not in _TECHNICAL:
        words.append(msgs.text("form.failure.reason", reason=_one_line(reason)))
    words.append(colored(msgs.text("form.failure.kept"), GREY))
    action = None
    if failure.kind in RETRYABLE:
        action = button(msgs.text("action.retry"), on_submit)
    elif failure.kind is FailureKind.REAUTH and ctx.connector_id:
        reauth = call(ctx, Reauth(connector_id=ctx.connector_id))
        action = button(msgs.text("action.update_connector"), reauth)
    icon = icons.served(ctx, "state_overdue", msgs.text("icon.error"))
    return [decorated(lines(words), start_icon=icon, button=action)]


def _one_line(text: str) -> str:
    """Pipedrive's reason on one line, at most a few hundred characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_REASON else flat[: _MAX_REASON - 1].rstrip() + ELLIPSIS


# --- fields --------------------------------------------------------------------------------


def area(name: str, label: str, value: str) -> Json:
    """A multi-line text input."""
    return text_input(name, label, value=value, multiline=True)


def choice_field(
    ctx: CardContext,
    name: str,
    label: str,
    options: Sequence[Option],
    *,
    selected: str,
    pinned: Sequence[Option] = (),
) -> list[Field]:
    """A dropdown of `pinned` then at most MAX_OPTIONS `options` (the selected one always among
    them), then "Showing 50 of 200" when some were left out."""
    kept = list(options[:MAX_OPTIONS])
    chosen = next((o for o in options[MAX_OPTIONS:] if o[1] == selected), None)
    if chosen is not None:
        kept[-1] = chosen
    widget = dropdown(
        name,
        label,
        [(text, value) for text, value, _ in [*pinned, *kept]],
        selected=selected,
        icon_urls=[url for _, _, url in [*pinned, *kept]],
    )
    fields: list[Field] = [(name, widget)]
    if len(options) > len(kept):
        text = ctx.msgs.text(
            "form.options.cut",
            shown=ctx.fmt.number(len(kept)),
            total=ctx.fmt.number(len(options)),
        )
        fields.append((None, decorated(colored(text, GREY))))
    return fields


def epoch_ms(moment: datetime) -> int:
    """UTC milliseconds since the epoch (what pickers take); a naive moment is UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)
