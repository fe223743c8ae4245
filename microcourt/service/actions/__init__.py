"""送达 actions, by entity: the documents served (``documents``), the party's address
statement (``addresses``), serving (``serving``), the recipient's acts (``recipient``), when
service took effect (``settling``), the certificate (``certificates``) and batch serving across
cases (``batch``). Nothing is marked served that was not: a service becomes effective only
through the declared machine (``states.SERVICE``), applied by the system from recorded facts
(receipts.effect_of), a postal signature, or the end of a public notice.

``from microcourt.service import actions`` keeps working: the public names are here.
"""

from .addresses import address_confirm
from .batch import services_serve_cases
from .certificates import certificate_issue
from .common import NOTICE_PERIOD, Doc, link_url
from .documents import document_of_case, document_upload
from .recipient import (
    service_open,
    service_open_link,
    service_paper_request,
    service_receipt_request,
)
from .serving import (
    EVENT,
    service_postal,
    service_public_notice,
    service_serve,
    services_serve_by,
)
from .settling import (
    service_postal_result,
    service_settle,
    service_settle_now,
    services_settle_due,
)

__all__ = [
    "EVENT",
    "NOTICE_PERIOD",
    "Doc",
    "address_confirm",
    "certificate_issue",
    "document_of_case",
    "document_upload",
    "link_url",
    "service_open",
    "service_open_link",
    "service_paper_request",
    "service_postal",
    "service_postal_result",
    "service_public_notice",
    "service_receipt_request",
    "service_serve",
    "service_settle",
    "service_settle_now",
    "services_serve_by",
    "services_serve_cases",
    "services_settle_due",
]
