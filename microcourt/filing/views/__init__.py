"""The pages of online filing: the applicant's wizard (a draft saved at every step), the
filing and its dated receipt, the court's filing desk and review page, the case page and
the other side's link (ARCHITECTURE §4.1, §4.12).

Thin: each view parses the request, calls one action or selector and renders; a refusal
(``DomainError``) is shown next to the field it names and changes nothing. Every page
works without JavaScript; htmx requests get the fragment they asked for."""
