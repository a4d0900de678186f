"""Who to look up: the external participants of a message, most relevant first."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cardin.addon.gmail import MessageHeaders
from cardin.addon.participants import participants_to_look_up
from cardin.usecases.people import Participant

ME = "sam@acme.example"


def _headers(
    sender: str | None = None,
    to: str | None = None,
    cc: str | None = None,
    *,
    labels: tuple[str, ...] = ("INBOX",),
    reply_to: str | None = None,
) -> MessageHeaders:
    return MessageHeaders(sender, to, cc, reply_to, "Subject", labels)


def _emails(headers: MessageHeaders, user_email: str | None = ME) -> list[str]:
    return [p.email for p in participants_to_look_up(headers, user_email=user_email)]


# --- received mail -----------------------------------------------------------------------------


def test_the_sender_of_a_received_message() -> None:
    headers = _headers("Ada Lovelace <ada@analytical.example>", f"Sam <{ME}>")
    assert participants_to_look_up(headers, user_email=ME) == [
        Participant("ada@analytical.example", "Ada Lovelace", "from")
    ]


def test_the_sender_first_then_the_other_external_participants() -> None:
    headers = _headers(
        "ada@analytical.example",
        f"{ME}, Bob <bob@partner.example>, lee@acme.example",
        "carol@client.example, kim@acme.example",
    )
    found = participants_to_look_up(headers, user_email=ME)
    assert [(p.email, p.role) for p in found] == [
        ("ada@analytical.example", "from"),
        ("bob@partner.example", "to"),
        ("carol@client.example", "cc"),
    ]


def test_colleagues_only_when_nobody_else_took_part() -> None:
    internal = _headers("Lee <lee@acme.example>", f"{ME}, kim@acme.example", "ops@eu.acme.example")
    assert _emails(internal) == ["lee@acme.example"]
    mixed = _headers("lee@acme.example", f"{ME}, ada@analytical.example")
    assert _emails(mixed) == ["ada@analytical.example"]


def test_a_subdomain_of_the_users_domain_is_a_colleague() -> None:
    headers = _headers("lee@eu.acme.example", ME, "ada@acme.example.net, bob@notacme.example")
    assert _emails(headers) == ["ada@acme.example.net", "bob@notacme.example"]


def test_the_users_own_address_is_skipped_with_a_tag_and_in_any_case() -> None:
    headers = _headers("ada@analytical.example", "sam+crm@acme.example", "SAM@ACME.EXAMPLE")
    assert _emails(headers) == ["ada@analytical.example"]
    to_myself = _headers(ME, "sam+notes@acme.example")
    assert _emails(to_myself) == []


def test_public_mail_domains_are_nobodys_company() -> None:
    me = "sam.smith@gmail.com"
    headers = _headers("ada@gmail.com", "SamSmith+news@googlemail.com, bob@gmail.com")
    assert _emails(headers, me) == ["ada@gmail.com", "bob@gmail.com"]


def test_without_the_users_address_everyone_is_looked_up() -> None:
    headers = _headers("lee@acme.example", ME, "ada@analytical.example")
    assert _emails(headers, None) == ["lee@acme.example", ME, "ada@analytical.example"]
    assert _emails(headers, "not an address") == _emails(headers, None)


# --- sent mail ---------------------------------------------------------------------------------


def test_the_recipients_of_the_users_own_message_come_first() -> None:
    headers = _headers(
        f"Sam <{ME}>",
        "Ada <ada@analytical.example>, lee@acme.example",
        "bob@partner.example",
        labels=(),
    )
    found = participants_to_look_up(headers, user_email=ME)
    assert [(p.email, p.role) for p in found] == [
        ("ada@analytical.example", "to"),
        ("bob@partner.example", "cc"),
    ]


def test_the_sent_label_marks_mail_sent_from_an_alias() -> None:
    headers = _headers(
        "Sales <sales@acme-sales.example>", "ada@analytical.example", labels=("SENT",)
    )
    assert _emails(headers) == ["ada@analytical.example"]


def test_mail_sent_to_a_colleague_looks_up_the_colleague() -> None:
    headers = _headers(ME, "lee@acme.example", "kim@acme.example", labels=("SENT",))
    assert _emails(headers) == ["lee@acme.example"]


# --- addresses and names -----------------------------------------------------------------------


def test_display_names_with_quoted_commas() -> None:
    headers = _headers('"Lovelace, Ada" <ada@analytical.example>', ME, '"Doe, J." <j@x.example>')
    found = participants_to_look_up(headers, user_email=ME)
    assert [p.name for p in found] == ["Lovelace, Ada", "Doe, J."]


def test_an_unquoted_comma_loses_only_the_name_part() -> None:
    headers = _headers("Lovelace, Ada <ada@analytical.example>", ME)
    assert participants_to_look_up(headers, user_email=ME) == [
        Participant("ada@analytical.example", "Ada", "from")
    ]


def test_encoded_words_are_decoded() -> None:
    headers = _headers(
        "=?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jm@partner.example>",
        ME,
        "=?utf-8?b?5bGx55Sw5aSq6YOO?= <taro@example.jp>, "
        '"=?iso-8859-1?q?Andr=E9?= Pirard" <pirard@ulg.example>',
    )
    names = [p.name for p in participants_to_look_up(headers, user_email=ME)]
    assert names == ["Jörg Müller", "山田太郎", "André Pirard"]


def test_broken_encoded_words_stay_as_written() -> None:
    headers = _headers(
        "=?x-no-such-charset?q?abc?= <a@x.example>", ME, "=?utf-8?b?!!!?= <b@y.example>"
    )
    found = participants_to_look_up(headers, user_email=ME)
    assert [p.email for p in found] == ["a@x.example", "b@y.example"]
    assert found[0].name == "=?x-no-such-charset?q?abc?="


def test_names_are_tidied_and_a_name_that_is_the_address_is_none() -> None:
    headers = _headers(
        "'Ada   Lovelace\t' <ada@x.example>",
        ME,
        "bob@y.example <bob@y.example>, c@z.example (Carol\t  C.), d@w.example",
    )
    found = participants_to_look_up(headers, user_email=ME)
    assert [p.name for p in found] == ["Ada Lovelace", None, "Carol C.", None]


def test_addresses_are_lower_case_and_duplicates_count_once() -> None:
    headers = _headers(
        "Ada <Ada@Analytical.Example>",
        f"{ME}, ada@analytical.example",
        "ADA+invoices@analytical.example, bob@partner.example, Bob <BOB@partner.example>",
    )
    found = participants_to_look_up(headers, user_email=ME)
    assert [(p.email, p.role) for p in found] == [
        ("ada@analytical.example", "from"),
        ("bob@partner.example", "cc"),
    ]


def test_group_syntax_and_undisclosed_recipients() -> None:
    headers = _headers(
        "ada@analytical.example", "undisclosed-recipients:;", "Team: a@x.example, b@y.example;"
    )
    assert _emails(headers) == ["ada@analytical.example", "a@x.example", "b@y.example"]


def test_invalid_addresses_are_ignored() -> None:
    headers = _headers(
        "not-an-address",
        "a@b, @x.example, a@@b.example, a..b@x.example, .a@x.example, a.@x.example, "
        "a b@x.example, a@x..example, a@-, <>, \\",
        "ok@fine.example, " + "x" * 70 + "@long.example",
    )
    assert _emails(headers) == ["ok@fine.example"]


def test_international_addresses_are_valid() -> None:
    headers = _headers("Jörg <jörg@müller.example>", ME)
    assert _emails(headers) == ["jörg@müller.example"]


def test_the_reply_to_and_empty_headers_add_nobody() -> None:
    assert _emails(_headers(None, None, None, reply_to="ada@x.example")) == []
    assert _emails(_headers("", "", "")) == []


def test_at_most_ten_and_a_custom_limit() -> None:
    recipients = ", ".join(f"p{i}@client{i}.example" for i in range(15))
    headers = _headers("ada@analytical.example", recipients)
    found = participants_to_look_up(headers, user_email=ME)
    assert len(found) == 10
    assert found[0].email == "ada@analytical.example"
    assert len(participants_to_look_up(headers, user_email=ME, limit=3)) == 3


def test_the_base_email_drops_the_tag() -> None:
    assert Participant("ann+news@x.example", None, "to").base_email == "ann@x.example"
    assert Participant("ann+a+b@x.example", None, "to").base_email == "ann@x.example"
    assert Participant("ann@x.example", None, "to").base_email is None
    assert Participant("+news@x.example", None, "to").base_email is None


def test_a_participant_from_a_card_parameter_or_search_field() -> None:
    assert Participant.of(" Ann+News@Shop.Example ", "  Ann   Lee ") == Participant(
        "ann+news@shop.example", "Ann Lee", "from"
    )
    assert Participant.of("ann@shop.example").name is None
    assert Participant.of("ann@shop.example", "", "cc").role == "cc"


def test_a_tagged_address_keeps_its_tag_and_offers_the_base() -> None:
    headers = _headers("Ann <ann+news@shop.example>", ME)
    [ann] = participants_to_look_up(headers, user_email=ME)
    assert (ann.email, ann.base_email, ann.domain) == (
        "ann+news@shop.example",
        "ann@shop.example",
        "shop.example",
    )


# --- never raises ------------------------------------------------------------------------------


def test_hostile_headers_find_nobody_and_raise_nothing() -> None:
    nested_comments = "(" * 5000 + "a@x.example"
    huge = "@" * 1_000_000
    headers = _headers(nested_comments, huge, "<" * 100_000)
    assert _emails(headers) == []


def test_a_long_recipient_list_still_yields_the_first_participants() -> None:
    recipients = ", ".join(f'"Person {i}, Client" <p{i}@client.example>' for i in range(2000))
    headers = _headers("ada@analytical.example", recipients)
    assert _emails(headers)[:3] == [
        "ada@analytical.example",
        "p0@client.example",
        "p1@client.example",
    ]


_ADDRESSY = st.text(
    alphabet=st.sampled_from(list('ab@.<>",;:()\\=?+-_ \t\r\nqQbB8é山')), max_size=80
)
_HEADER = st.one_of(st.none(), st.text(max_size=200), _ADDRESSY)


@settings(max_examples=300, deadline=None)
@given(
    sender=_HEADER,
    to=_HEADER,
    cc=_HEADER,
    user_email=st.one_of(st.none(), st.emails(), st.text(max_size=40)),
    labels=st.lists(st.sampled_from(["INBOX", "SENT", "DRAFT", ""]), max_size=3),
)
def test_arbitrary_headers_never_raise(
    sender: str | None, to: str | None, cc: str | None, user_email: str | None, labels: list[str]
) -> None:
    headers = MessageHeaders(sender, to, cc, None, None, tuple(labels))
    found = participants_to_look_up(headers, user_email=user_email)
    assert len(found) <= 10
    assert len({p.email for p in found}) == len(found)
    for participant in found:
        assert participant.role in {"from", "to", "cc"}
        assert participant.email == participant.email.lower()
        assert participant.email.count("@") == 1
