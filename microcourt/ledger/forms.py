from django import forms
from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import InvalidInput

from . import selectors

MAX_BYTES = 512 * 1024 * 1024


class VerifyForm(forms.Form):
    """验证: a file to hash here, or the SHA-256 someone already has."""

    file = forms.FileField(
        label=_("文件"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "mc-file"}),
    )
    sha256 = forms.CharField(
        label=_("或填写 SHA-256"),
        required=False,
        max_length=80,
        widget=forms.TextInput(
            attrs={
                "class": "weui-input",
                "placeholder": _("64 位十六进制摘要"),
                "spellcheck": "false",
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size == 0:
            raise forms.ValidationError(_("文件没有内容"))
        if upload is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("不能超过 512 MB"))
        return upload

    def clean_sha256(self):
        text = self.cleaned_data.get("sha256", "").strip()
        if not text:
            return ""
        try:
            return selectors.parse_sha256(text)
        except InvalidInput as error:
            raise forms.ValidationError(error.fields["sha256"]) from None

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("file") and not data.get("sha256"):
            raise forms.ValidationError(_("请选择文件，或填写它的 SHA-256 摘要。"))
        return data
