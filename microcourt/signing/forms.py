"""The signing pages' forms, and ``handwriting_png``: the data URL the signature pad
(``signing/pad.html``) posts, turned into checked PNG bytes."""

from __future__ import annotations

from django import forms

from microcourt.core.errors import InvalidInput

from . import handwriting


def handwriting_png(value: str) -> bytes:
    """PNG bytes from ``data:image/png;base64,…``: really a PNG (sniffed), at most 1 MB and
    not blank (some stroke that is neither transparent nor white). Otherwise
    ``InvalidInput`` naming the field ``handwriting``, with the reason in Chinese."""
    return handwriting.from_data_url(value)


class SignForm(forms.Form):
    handwriting = forms.CharField(required=False, widget=forms.HiddenInput, strip=True)

    def clean_handwriting(self) -> bytes:
        try:
            return handwriting_png(self.cleaned_data.get("handwriting", ""))
        except InvalidInput as error:
            raise forms.ValidationError(error.fields[handwriting.FIELD]) from None
