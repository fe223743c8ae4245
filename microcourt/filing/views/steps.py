"""The wizard's steps: one ``get_<step>`` and ``post_<step>_<action>`` pair per step, each
saving through one action and re-rendering with the refusal next to its field."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, InvalidInput
from microcourt.core.money import in_words
from microcourt.courts import selectors as court_selectors
from microcourt.identity import selectors as identity_selectors

from .. import actions, autofill, selectors
from ..complaint import elements
from ..forms import (
    STAGE_LABELS,
    CapacityForm,
    ClaimForm,
    ConsentForm,
    CourtForm,
    FactsForm,
    KindForm,
    MaterialForm,
    PartyForm,
)
from ..models import MaterialKind, PartySide
from .common import (
    PROBLEM_STEP,
    SHORT_LIST,
    STEP_TITLES,
    S,
    _claim_rows,
    _money,
    _next,
    _party_rows,
    _step_url,
    _total,
)


class WizardPage:
    """What one step shows and does. Forms start empty and are bound only to re-show a
    refused POST (or auto-filled values for the user to confirm)."""

    def __init__(self, request, filing, step: str):
        self.request = request
        self.filing = filing
        self.step = step
        self.actor = actor_of(request)
        self.context: dict = {}
        self.template = f"filing/step_{step}.html"

    # -- dispatch --

    def get(self) -> None:
        handler = getattr(self, f"get_{self.step}", None)
        if handler is not None:
            handler()

    def post(self):
        action = self.request.POST.get("action", "save")
        handler = getattr(self, f"post_{self.step}_{action}", None)
        if handler is None:
            raise Http404
        try:
            return handler()
        except DomainError as exc:
            self.context.setdefault("error", str(exc.message))
            self.context.setdefault("error_fields", {k: str(v) for k, v in exc.fields.items()})
            self.get()
            return None

    def save(self, changes: dict, *, form=None, go: str | None = None):
        """``filing_update`` with the version the user edited; then the next step."""
        try:
            actions.filing_update(
                filing=self.filing,
                actor=self.actor,
                changes={**changes, "step": go or _next(self.step)},
                version=self.request.POST.get("version") or None,
            )
        except DomainError as exc:
            if form is not None:
                form.refuse(exc)
                self.context[form.context_name] = form
            raise
        return redirect(_step_url(self.filing, go or _next(self.step)))

    def render(self):
        filing = self.filing
        index = actions.STEPS.index(self.step)
        context = {
            "filing": filing,
            "step": self.step,
            "step_title": STEP_TITLES[self.step],
            "steps": [
                {"key": s, "title": STEP_TITLES[s], "done": i < index, "current": i == index}
                for i, s in enumerate(actions.STEPS)
            ],
            "step_number": index + 1,
            "step_count": len(actions.STEPS),
            "progress": round((index + 1) * 100 / len(actions.STEPS)),
            "previous": actions.STEPS[index - 1] if index else "",
            "correcting": filing.status == S.CORRECTION_REQUESTED,
            "tab": "home",
            **self.context,
        }
        partial = self.request.GET.get("partial", "")
        if self.request.htmx and partial in self.PARTIALS.get(self.step, ()):
            return render(self.request, f"{self.template}#{partial}", context)
        return render(self.request, self.template, context)

    PARTIALS = {"court": ("results",), "kind": ("causes",)}

    def form(self, cls, name: str, *, bound: bool = False, **kwargs):
        form = cls(self.request.POST if bound else None, **kwargs)
        form.context_name = name
        return form

    # -- 1 capacity --

    def get_capacity(self):
        user = self.request.user
        agencies = list(identity_selectors.agencies_of(user))
        organisations = list(identity_selectors.represented_organisations(user))
        if "form" not in self.context:
            self.context["form"] = self.form(
                CapacityForm,
                "form",
                agencies=agencies,
                organisations=organisations,
            )
            self.context["form"].initial = {
                "capacity": self.filing.capacity,
                "authorisation": self.filing.authorisation_id or "",
                "organisation": self.filing.organisation_id or "",
            }
        self.context.update(agencies=agencies, organisations=organisations)

    def post_capacity_save(self):
        user = self.request.user
        form = self.form(
            CapacityForm,
            "form",
            bound=True,
            agencies=identity_selectors.agencies_of(user),
            organisations=identity_selectors.represented_organisations(user),
        )
        data = self.request.POST
        capacity = data.get("capacity", "")
        changes = {
            "capacity": capacity,
            "authorisation": data.get("authorisation", "") if capacity == "agent" else None,
            "organisation": data.get("organisation", "")
            if capacity == "legal_representative"
            else None,
        }
        return self.save(changes, form=form)

    # -- 2 court --

    def get_court(self):
        q = self.request.GET.get("q", "").strip()[:50]
        province = self.request.GET.get("province", "").strip()[:20]
        results = []
        if q or province:
            results = list(court_selectors.courts(q=q, province=province)[:SHORT_LIST])
        if "form" not in self.context:
            self.context["form"] = self.form(CourtForm, "form")
            self.context["form"].initial = {
                "court": self.filing.court.code if self.filing.court_id else "",
                "receiving_court": self.filing.receiving_court.code
                if self.filing.receiving_court_id
                else "",
            }
        self.context.update(
            q=q,
            province=province,
            results=results,
            provinces=court_selectors.provinces(),
            hints=selectors.jurisdiction_hints(self.filing),
        )

    def post_court_save(self):
        form = self.form(CourtForm, "form", bound=True)
        data = self.request.POST
        return self.save(
            {"court": data.get("court", ""), "receiving_court": data.get("receiving_court", "")},
            form=form,
        )

    # -- 3 kind and cause --

    def get_kind(self):
        q = self.request.GET.get("q", "").strip()[:50]
        found = selectors.causes(q=q)
        self.context.update(q=q, causes=list(found[: SHORT_LIST if q else 12]))
        if "form" not in self.context:
            self.context["form"] = self.form(KindForm, "form")
            self.context["form"].initial = {
                "kind": self.filing.kind,
                "appeal_of": self.filing.appeal_of.number if self.filing.appeal_of_id else "",
                "cause": self.filing.cause_id or "",
            }

    def post_kind_save(self):
        form = self.form(KindForm, "form", bound=True)
        data = self.request.POST
        changes = {"kind": data.get("kind", ""), "cause": data.get("cause", "")}
        if data.get("kind") == "appeal" or self.filing.appeal_of_id:
            changes["appeal_of"] = data.get("appeal_of", "") if data.get("kind") == "appeal" else ""
        return self.save(changes, form=form)

    # -- 4 parties --

    def get_parties(self):
        filing = self.filing
        parties = list(filing.parties.all())
        self.context["sides"] = _party_rows(filing, parties)
        self.context["own"] = identity_selectors.is_verified(self.request.user)
        self.context["has_self"] = any(p.user_id == self.request.user.pk for p in parties)
        if "party_form" in self.context:
            return
        add = self.request.GET.get("add", "")
        edit = self.request.GET.get("edit", "")
        if add in PartySide.values:
            form = self.form(PartyForm, "party_form")
            form.initial = {"side": add, "kind": "natural"}
            self.context["party_form"] = form
        elif edit.isdigit():
            party = next((p for p in parties if p.pk == int(edit)), None)
            if party is None:
                raise Http404
            form = self.form(PartyForm, "party_form")
            form.initial = {
                "side": party.side,
                "party_id": party.pk,
                **{
                    name: getattr(party, name)
                    for name in PartyForm.base_fields
                    if name not in ("side", "party_id", "birth_date")
                },
                "birth_date": party.birth_date.isoformat() if party.birth_date else "",
                "phone": party.phone.removeprefix("+86"),
            }
            self.context["party_form"] = form
        if "party_form" in self.context:
            self.context["party_side_label"] = self._side_label(
                self.context["party_form"].initial.get("side", "")
            )

    def _side_label(self, side: str) -> str:
        if side not in PartySide.values:
            return ""
        return selectors.side_labels(self.filing.kind)[side]

    def post_parties_save(self):
        data = self.request.POST
        form = self.form(PartyForm, "party_form", bound=True)
        values = {
            k: data.get(k, "") for k in PartyForm.base_fields if k not in ("side", "party_id")
        }
        values["service_address_confirmed"] = data.get("service_address_confirmed") == "on"
        party_id = data.get("party_id", "")
        try:
            actions.party_save(
                filing=self.filing,
                actor=self.actor,
                side=data.get("side", ""),
                data=values,
                party_id=int(party_id) if party_id.isdigit() else None,
            )
        except DomainError as exc:
            form.refuse(exc)
            self.context["party_form"] = form
            self.context["party_side_label"] = self._side_label(data.get("side", ""))
            raise
        messages.success(self.request, _("已保存当事人“%(name)s”") % {"name": values["name"]})
        return redirect(_step_url(self.filing, "parties"))

    def post_parties_self(self):
        data = self.request.POST
        actions.party_save(
            filing=self.filing,
            actor=self.actor,
            side=PartySide.CLAIMANT,
            data={
                "self": True,
                "address": data.get("address", ""),
                "service_address": data.get("service_address", ""),
                "service_address_confirmed": data.get("service_address_confirmed") == "on",
            },
        )
        messages.success(self.request, _("已按实名信息添加您为原告（申请人）"))
        return redirect(_step_url(self.filing, "parties"))

    def post_parties_remove(self):
        party_id = self.request.POST.get("party_id", "")
        if not party_id.isdigit():
            raise Http404
        actions.party_remove(filing=self.filing, actor=self.actor, party_id=int(party_id))
        messages.success(self.request, _("已删除该当事人"))
        return redirect(_step_url(self.filing, "parties"))

    def post_parties_ocr(self):
        """拍身份证/营业执照自动填写: read the photo and show the form filled in, for the
        user to check and save. Nothing is saved and the photo is not kept."""
        data = self.request.POST
        side = data.get("side", "")
        upload = self.request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("请选择照片"), fields={"file": _("请选择照片")})
        image = upload.read(actions.max_upload_bytes() + 1)
        if len(image) > actions.max_upload_bytes():
            raise InvalidInput(_("照片太大"), fields={"file": _("照片不能超过20MB")})
        reader = (
            autofill.party_from_business_licence
            if data.get("document") == "licence"
            else autofill.party_from_id_card
        )
        try:
            guess = reader(image, side="")
        except DomainError as exc:
            form = self.form(PartyForm, "party_form")
            form.initial = {"side": side, "kind": "natural"}
            self.context["party_form"] = form
            self.context["party_side_label"] = self._side_label(side)
            self.context["ocr_error"] = " ".join(
                [str(exc.message), *(str(v) for v in exc.fields.values())]
            )
            raise
        self._prefill(side, data.get("party_id", ""), guess.as_dict())
        self.context["ocr_done"] = True
        self.get_parties()

    def post_parties_prefill(self):
        """A party read from an uploaded complaint: into the form, for the user to confirm."""
        data = self.request.POST
        self._prefill(data.get("side", ""), "", {k: data.get(k, "") for k in PartyForm.base_fields})
        self.get_parties()

    def _prefill(self, side: str, party_id: str, values: dict) -> None:
        shown = {
            k: v for k, v in values.items() if k in PartyForm.base_fields and v not in (None, "")
        }
        shown.update(side=side, party_id=party_id)
        form = self.form(PartyForm, "party_form")
        form.initial = shown
        self.context["party_form"] = form
        self.context["party_side_label"] = self._side_label(side)

    def post_parties_next(self):
        return self.save({})

    # -- 5 claims, facts, the complaint assistant --

    def get_claims(self):
        filing = self.filing
        claims = list(filing.claims.all())
        total = _total(claims)
        self.context.update(claims=_claim_rows(claims), total=_money(total))
        self.context.setdefault("claim_form", self.form(ClaimForm, "claim_form"))
        if "facts_form" not in self.context:
            self.context["facts_form"] = self.form(FactsForm, "facts_form")
            self.context["facts_form"].initial = {"facts": filing.facts}
        if total is not None and filing.court_id:
            try:
                fee = selectors.fee_quote(filing, total)
            except InvalidInput as exc:
                # An estimate only: say why there is none rather than hide it.
                self.context["fee_note"] = " ".join(str(r) for r in exc.fields.values())
            else:
                if fee is not None:
                    self.context["fee"] = {**_money(fee[1].amount), "basis": fee[1].basis}
        template = filing.cause.assistant if filing.cause_id else ""
        if template:
            self.context["assistant"] = self._questions(template)
        generated = filing.materials.filter(
            kind=MaterialKind.COMPLAINT, generated=True, removed=False
        )
        self.context["generated"] = list(generated)

    def _questions(self, template: str) -> list[dict]:
        """The assistant's questions grouped by section, with the answers and reasons."""
        posted = self.context.get("answers")
        answers = posted if posted is not None else (self.filing.elements or {})
        reasons = {
            k.removeprefix("elements."): v
            for k, v in self.context.get("error_fields", {}).items()
            if k.startswith("elements.")
        }
        sections: list[dict] = []
        for q in elements.questions_for(template):
            section = str(q.section) or _("基本情况")
            if not sections or sections[-1]["title"] != section:
                sections.append({"title": section, "questions": []})
            value = answers.get(q.key, "")
            sections[-1]["questions"].append(
                {
                    "q": q,
                    "name": f"el-{q.key}",
                    "value": "" if value is None else str(value),
                    "checked": str(value).lower() in ("true", "1", "on", "yes"),
                    "error": reasons.get(q.key, ""),
                    "input": {
                        "date": "date",
                        "money": "decimal",
                        "percent": "decimal",
                        "integer": "numeric",
                    }.get(q.kind, "text"),
                }
            )
        return sections

    def post_claims_add(self):
        data = self.request.POST
        form = self.form(ClaimForm, "claim_form", bound=True)
        try:
            actions.claim_save(
                filing=self.filing,
                actor=self.actor,
                text=data.get("text", ""),
                amount=data.get("amount", ""),
            )
        except DomainError as exc:
            form.refuse(exc)
            self.context["claim_form"] = form
            raise
        messages.success(self.request, _("已添加诉讼请求"))
        return redirect(_step_url(self.filing, "claims", "claims"))

    def post_claims_remove(self):
        claim_id = self.request.POST.get("claim_id", "")
        if not claim_id.isdigit():
            raise Http404
        actions.claim_remove(filing=self.filing, actor=self.actor, claim_id=int(claim_id))
        return redirect(_step_url(self.filing, "claims", "claims"))

    def post_claims_facts(self):
        form = self.form(FactsForm, "facts_form", bound=True)
        return self.save({"facts": self.request.POST.get("facts", "")}, form=form, go="claims")

    def post_claims_assistant(self):
        """诉状助手: the answers go to ``complaint_generate``; refused answers stay typed."""
        template = self.filing.cause.assistant if self.filing.cause_id else ""
        if not template:
            raise Http404
        data = self.request.POST
        answers = {}
        for q in elements.questions_for(template):
            if q.kind == "bool":
                answers[q.key] = "true" if data.get(f"el-{q.key}") == "on" else "false"
            else:
                answers[q.key] = data.get(f"el-{q.key}", "").strip()
        self.context["answers"] = answers
        try:
            actions.complaint_generate(filing=self.filing, actor=self.actor, answers=answers)
        except InvalidInput:
            # complaint_generate rolls back with its refusal; keep what was typed anyway.
            actions.filing_update(
                filing=self.filing, actor=self.actor, changes={"elements": answers}
            )
            raise
        messages.success(self.request, _("起诉状已生成，请核对诉讼请求和事实与理由"))
        return redirect(_step_url(self.filing, "claims", "generated"))

    def post_claims_upload(self):
        """上传起诉状自动识别: the file is stored as the complaint, then read; what it names
        is shown with a button each, nothing is added until the user says so."""
        upload = self.request.FILES.get("file")
        material = actions.material_add(
            filing=self.filing, actor=self.actor, kind=MaterialKind.COMPLAINT, upload=upload
        )
        messages.success(self.request, _("起诉状已上传保存"))
        try:
            with default_storage.open(material.path, "rb") as f:
                guess = autofill.complaint_from_file(f.read(), material.mime)
        except DomainError as exc:
            self.context["upload_note"] = " ".join(
                [str(exc.message), *(str(v) for v in exc.fields.values())]
            )
        else:
            found = guess.as_dict()
            side_of = {"plaintiff": "claimant", "defendant": "respondent"}
            for party in found["parties"]:
                party["side"] = side_of.get(party["side"], "third_party")
                party["side_label"] = self._side_label(party["side"])
            for claim in found["claims"]:
                if claim["amount"] is not None:
                    claim["words"] = in_words(Decimal(claim["amount"]))
            self.context["guess"] = found
        self.get_claims()

    def post_claims_next(self):
        return self.save({})

    # -- 6 materials --

    def get_materials(self):
        materials = self.filing.materials.filter(removed=False).order_by("created_at", "pk")
        self.context["materials"] = list(materials)
        self.context.setdefault(
            "material_form",
            self.form(
                MaterialForm,
                "material_form",
                correcting=self.filing.status == S.CORRECTION_REQUESTED,
            ),
        )

    def post_materials_add(self):
        data = self.request.POST
        form = self.form(
            MaterialForm,
            "material_form",
            bound=True,
            correcting=self.filing.status == S.CORRECTION_REQUESTED,
        )
        try:
            material = actions.material_add(
                filing=self.filing,
                actor=self.actor,
                kind=data.get("kind", ""),
                upload=self.request.FILES.get("file"),
            )
        except DomainError as exc:
            form.refuse(exc)
            self.context["material_form"] = form
            raise
        messages.success(self.request, _("已上传“%(name)s”") % {"name": material.name})
        return redirect(_step_url(self.filing, "materials", "materials"))

    def post_materials_remove(self):
        material_id = self.request.POST.get("material_id", "")
        if not material_id.isdigit():
            raise Http404
        actions.material_remove(filing=self.filing, actor=self.actor, material_id=int(material_id))
        messages.success(self.request, _("已移除"))
        return redirect(_step_url(self.filing, "materials", "materials"))

    def post_materials_next(self):
        return self.save({})

    # -- 7 consent --

    def get_consent(self):
        if "form" not in self.context:
            form = self.form(ConsentForm, "form", stages=actions.CONSENT_STAGES)
            form.initial = {
                stage: ("yes" if online else "no") for stage, online in self.filing.consent.items()
            }
            self.context["form"] = form

    def post_consent_save(self):
        form = self.form(ConsentForm, "form", bound=True, stages=actions.CONSENT_STAGES)
        consent = form.consent()
        if set(consent) != set(actions.CONSENT_STAGES):
            form.refuse(
                InvalidInput(
                    _("请对每个诉讼环节作出选择"),
                    fields={
                        s: _("请选择是否在线进行")
                        for s in actions.CONSENT_STAGES
                        if s not in consent
                    },
                )
            )
            self.context["form"] = form
            raise InvalidInput(_("请对每个诉讼环节作出选择"))
        return self.save({"consent": consent}, form=form)

    # -- 8 review --

    def get_review(self):
        filing = self.filing
        hints = selectors.jurisdiction_hints(filing)
        parties = list(filing.parties.all())
        claims = list(filing.claims.all())
        self.context.update(
            sides=_party_rows(filing, parties),
            claims=_claim_rows(claims),
            total=_money(_total(claims)),
            materials=list(filing.materials.filter(removed=False)),
            consent=[
                {"label": STAGE_LABELS[s], "online": filing.consent.get(s)}
                for s in actions.CONSENT_STAGES
            ],
            problems=[
                {"field": k, "reason": str(v), "step": PROBLEM_STEP.get(k, "review")}
                for k, v in selectors.problems(filing).items()
            ],
            hints=hints,
            court_off_hints=bool(hints) and filing.court_id not in {h.court.pk for h in hints},
        )

    def post_review_submit(self):
        actions.filing_submit(filing=self.filing, actor=self.actor)
        return redirect("filing:receipt", self.filing.number)
