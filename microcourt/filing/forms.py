"""The filing pages' forms. They only carry what was typed and the errors to show next to
each field: the actions validate (ARCHITECTURE §4.1), so every field here is optional and a
refusal from an action is put back on the form with ``refuse``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from microcourt.core.errors import DomainError

from .models import CaseKind, FilerCapacity, MaterialKind, PartyKind

INPUT = {"class": "weui-input"}
SELECT = {"class": "weui-select"}
TEXTAREA = {"class": "weui-textarea", "rows": 3}


class Fields(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def refuse(self, error: DomainError, *, prefix: str = "") -> None:
        """Show an action's refusal: each reason next to its field, the rest on top."""
        self.is_valid()
        shown = False
        for name, reason in error.fields.items():
            name = name.removeprefix(prefix)
            if name in self.fields:
                self.add_error(name, str(reason))
                shown = True
            else:
                self.add_error(None, str(reason))
                shown = True
        if not shown:
            self.add_error(None, str(error.message))


class CapacityForm(Fields):
    capacity = forms.ChoiceField(
        label=_("起诉身份"), choices=FilerCapacity.choices, widget=forms.RadioSelect
    )
    authorisation = forms.ChoiceField(label=_("授权委托"), widget=forms.Select(attrs=SELECT))
    organisation = forms.ChoiceField(label=_("代表的单位"), widget=forms.Select(attrs=SELECT))

    def __init__(self, *args, agencies=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authorisation"].choices = [("", _("请选择"))] + [
            (a.pk, str(a)) for a in agencies
        ]
        self.fields["organisation"].choices = [("", _("请选择"))] + [
            (o.pk, str(o)) for o in organisations
        ]


class CourtForm(Fields):
    court = forms.CharField(label=_("受诉法院"))
    receiving_court = forms.CharField(
        label=_("协作法院代字"),
        widget=forms.TextInput(attrs={**INPUT, "placeholder": _("如 浙0192，不跨域立案则留空")}),
    )


class KindForm(Fields):
    kind = forms.ChoiceField(
        label=_("案件类型"), choices=CaseKind.choices, widget=forms.RadioSelect
    )
    appeal_of = forms.CharField(
        label=_("原审案号"),
        widget=forms.TextInput(attrs={**INPUT, "placeholder": _("如（2025）浙0203民初123号")}),
    )
    cause = forms.CharField(label=_("案由"))


class PartyForm(Fields):
    side = forms.CharField(widget=forms.HiddenInput)
    party_id = forms.CharField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("类型"), choices=PartyKind.choices, widget=forms.Select(attrs=SELECT)
    )
    name = forms.CharField(label=_("姓名或名称"), widget=forms.TextInput(attrs=INPUT))
    id_number = forms.CharField(
        label=_("公民身份号码"),
        widget=forms.TextInput(attrs={**INPUT, "autocomplete": "off", "maxlength": 18}),
    )
    gender = forms.ChoiceField(
        label=_("性别"),
        choices=[("", _("请选择")), ("男", _("男")), ("女", _("女"))],
        widget=forms.Select(attrs=SELECT),
    )
    birth_date = forms.CharField(widget=forms.HiddenInput)
    ethnicity = forms.CharField(
        label=_("民族"), widget=forms.TextInput(attrs={**INPUT, "placeholder": _("如 汉族")})
    )
    uscc = forms.CharField(
        label=_("统一社会信用代码"), widget=forms.TextInput(attrs={**INPUT, "maxlength": 18})
    )
    legal_representative = forms.CharField(
        label=_("法定代表人"), widget=forms.TextInput(attrs=INPUT)
    )
    phone = forms.CharField(
        label=_("联系电话"),
        widget=forms.TextInput(attrs={**INPUT, "type": "tel", "inputmode": "tel"}),
    )
    address = forms.CharField(label=_("住所"), widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}))
    service_address = forms.CharField(
        label=_("送达地址"),
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2, "placeholder": _("不填则同住所")}),
    )
    email = forms.CharField(
        label=_("电子邮箱"), widget=forms.TextInput(attrs={**INPUT, "type": "email"})
    )
    service_address_confirmed = forms.BooleanField(
        label=_("我已阅读并确认送达地址确认书"),
        widget=forms.CheckboxInput(attrs={"class": "mc-checkbox"}),
    )

    NATURAL_ONLY = ("id_number", "gender", "ethnicity")
    ORGANISATION_ONLY = ("uscc", "legal_representative")


class ClaimForm(Fields):
    text = forms.CharField(
        label=_("诉讼请求"),
        widget=forms.Textarea(
            attrs={**TEXTAREA, "rows": 2, "placeholder": _("如：判令被告偿还借款本金50000元")}
        ),
    )
    amount = forms.CharField(
        label=_("金额（元）"),
        widget=forms.TextInput(
            attrs={**INPUT, "inputmode": "decimal", "placeholder": _("涉及金钱时填写")}
        ),
    )


class FactsForm(Fields):
    facts = forms.CharField(
        label=_("事实与理由"), widget=forms.Textarea(attrs={**TEXTAREA, "rows": 8})
    )


UPLOADABLE = [
    (k, label)
    for k, label in MaterialKind.choices
    if k not in (MaterialKind.COURT_DOCUMENT, MaterialKind.CORRECTION)
]


class MaterialForm(Fields):
    kind = forms.ChoiceField(
        label=_("材料类型"), choices=UPLOADABLE, widget=forms.Select(attrs=SELECT)
    )
    file = forms.FileField(
        label=_("文件"),
        widget=forms.ClearableFileInput(
            attrs={"class": "mc-file", "accept": "image/*,application/pdf,.docx"}
        ),
    )

    def __init__(self, *args, correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if correcting:
            self.fields["kind"].choices = [
                (MaterialKind.CORRECTION, MaterialKind.CORRECTION.label),
                *UPLOADABLE,
            ]


STAGE_LABELS = {
    "mediation": _("调解"),
    "evidence_exchange": _("证据交换"),
    "hearing": _("庭审"),
    "service": _("送达"),
}
YES_NO = [("yes", _("同意在线进行")), ("no", _("不同意，线下进行"))]


class ConsentForm(Fields):
    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        for stage in stages:
            self.fields[stage] = forms.ChoiceField(
                label=STAGE_LABELS.get(stage, stage),
                choices=YES_NO,
                widget=forms.RadioSelect,
                required=False,
            )

    def consent(self) -> dict[str, bool]:
        """Stage → online, for the stages answered."""
        return {
            stage: self.data.get(stage) == "yes"
            for stage in self.fields
            if self.data.get(stage) in ("yes", "no")
        }


class DecisionForm(Fields):
    """The filing officer's decisions (one form, each decision uses its own fields)."""

    note = forms.CharField(label=_("备注"), widget=forms.Textarea(attrs=TEXTAREA))
    items = forms.CharField(
        label=_("补正事项（每行一项）"), widget=forms.Textarea(attrs={**TEXTAREA, "rows": 5})
    )
    deadline = forms.CharField(
        label=_("补正期限"), widget=forms.DateInput(attrs={**INPUT, "type": "date"})
    )
    reasons = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs=TEXTAREA))
    target_court = forms.CharField(
        label=_("移送至（法院代字）"),
        widget=forms.TextInput(attrs={**INPUT, "placeholder": _("如 浙0212")}),
    )
