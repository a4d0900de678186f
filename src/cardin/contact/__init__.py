"""The domain: what a looked-up contact is, its custom-field values and its notes."""

from cardin.contact.fields import FieldDefinition, ReferenceNames, display_text, to_field_values
from cardin.contact.model import Contact, LookupResult, Match, NoMatch
from cardin.contact.notes import clean_note_html, note_plain_text

__all__ = [
    "Contact",
    "FieldDefinition",
    "LookupResult",
    "Match",
    "NoMatch",
    "ReferenceNames",
    "clean_note_html",
    "display_text",
    "note_plain_text",
    "to_field_values",
]
