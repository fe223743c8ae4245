"""Moved to ``identity.actions`` (issue 13: one package of writes). These names stay only
while other apps' imports move (filing and the workbench still use ``identity.parties``);
new code imports ``identity.actions``."""

from .actions import (  # noqa: F401
    LICENCE_NUMBER_LENGTH,
    authorisation_attach_case,
    authorisation_grant,
    is_lawyer,
    lawyer_apply,
    lawyer_review,
    organisation_authorise_employee,
    organisation_register,
    organisation_review,
    validate_uscc,
)
