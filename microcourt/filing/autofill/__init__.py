"""Auto-fill for the filing wizard: parties, claims and amounts read from an ID card, a
business licence or an uploaded complaint, for the user to confirm. Plain data only; nothing
is written to the database and no file is stored here."""

from .files import complaint_from_file, party_from_business_licence, party_from_id_card
from .results import ClaimGuess, ComplaintGuess, PartyGuess
from .text import parse_complaint_text

__all__ = [
    "ClaimGuess",
    "ComplaintGuess",
    "PartyGuess",
    "complaint_from_file",
    "parse_complaint_text",
    "party_from_business_licence",
    "party_from_id_card",
]
