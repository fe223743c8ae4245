from django import forms
from django.utils.translation import gettext_lazy as _

from . import fees

NOT_APPLICABLE = ("", _("不适用"))


def _select(attrs: dict | None = None) -> forms.Select:
    return forms.Select(attrs={"class": "weui-select", **(attrs or {})})


class CalculatorForm(forms.Form):
    """诉讼费计算. Only the choices are checked here; the fee engine checks the rest (the
    amount, what each kind needs) and its refusals are put on the fields they name."""

    kind = forms.ChoiceField(
        label=_("费用种类"),
        choices=list(fees.KINDS.items()),
        initial="acceptance",
        widget=_select(),
    )
    amount = forms.CharField(
        label=_("金额（元）"),
        required=False,
        max_length=40,
        help_text=_(
            "诉讼请求金额（上诉填上诉请求金额）、执行金额、保全的财产数额、破产财产总额；"
            "离婚案件填分割的财产总额，人格权案件填赔偿金额；不涉及金额的可不填"
        ),
        widget=forms.TextInput(
            attrs={
                "class": "weui-input",
                "inputmode": "decimal",
                "autocomplete": "off",
                "placeholder": _("例如 50000 或 12000.50"),
            }
        ),
    )
    province = forms.ChoiceField(
        label=_("省份"),
        required=False,
        choices=list(fees.PROVINCES.items()),
        initial="浙",
        widget=_select(),
    )
    # Only the case-acceptance fee (案件受理费) has a category and can be halved.
    category = forms.ChoiceField(
        label=_("案件类别"),
        required=False,
        choices=[NOT_APPLICABLE, *fees.CATEGORIES.items()],
        initial="property",
        widget=_select(),
    )
    administrative_kind = forms.ChoiceField(
        label=_("行政案件类型"),
        required=False,
        choices=[NOT_APPLICABLE, *fees.ADMINISTRATIVE_KINDS.items()],
        widget=_select(),
    )
    procedure = forms.ChoiceField(
        label=_("审理程序"),
        required=False,
        choices=list(fees.PROCEDURES.items()),
        initial="ordinary",
        widget=_select(),
    )
    closure = forms.ChoiceField(
        label=_("结案方式"),
        required=False,
        choices=[("", _("判决或尚未结案")), *fees.CLOSURES.items()],
        widget=_select(),
    )
    counterclaim = forms.BooleanField(
        label=_("反诉或第三人请求，与本诉合并审理"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "weui-switch"}),
    )
    appeal = forms.BooleanField(
        label=_("上诉案件"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "weui-switch"}),
    )

    APPLICATION_FIELDS = ("kind", "amount", "province")
    ACCEPTANCE_FIELDS = (
        "category",
        "administrative_kind",
        "procedure",
        "closure",
        "counterclaim",
        "appeal",
    )

    def common_fields(self):
        return [self[name] for name in self.APPLICATION_FIELDS]

    def acceptance_fields(self):
        return [self[name] for name in self.ACCEPTANCE_FIELDS]
