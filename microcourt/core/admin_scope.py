"""The admin is a court tool, not a master key (issue 13).

Every ``ModelAdmin`` of the platform derives from ``CourtScopedAdmin``:

- platform operators (superusers) see and change everything, and give a reason for each
  change of an account, a role or a court setting (``reason_required``);
- a court administrator (an active ``court_admin`` role) sees and changes only the rows of
  their own court(s), found through ``court_field``; a model without a court (national data,
  PKI, the ledger, accounts of citizens) is the operators' alone;
- any other ``is_staff`` account sees nothing.

Every add, change and delete made through the admin is written to the ledger's private part
(who, which object, which fields, the reason) by the recorder named in
``MICROCOURT_ADMIN_RECORDER``: core may not import the ledger or identity (ARCHITECTURE §3),
so the recorder is named in settings, as the actor loader is.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, lookup_spawns_duplicates
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .actor import Actor, actor_of

# identity.roles.OrgRole.COURT_ADMIN, spelled out because core may not import identity (a test
# checks that the two agree).
COURT_ADMIN = "court_admin"
# The role a platform operator acts in, as the ledger has always named it.
OPERATOR = "superuser"
REASON = "reason"
DEFAULT_RECORDER = "microcourt.identity.admin_actions.admin_change_record"


def is_operator(request: Any) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_active and user.is_superuser)


def administered_courts(request: Any) -> frozenset[int]:
    """The courts where the signed-in user is an active court administrator."""
    actor = actor_of(request)
    return actor.courts_with({COURT_ADMIN}) if actor is not None else frozenset()


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("变更理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("必填。理由与变更的字段一并记入存证日志的非公开部分。"),
    )


def _record(**change: Any) -> None:
    recorder = import_string(getattr(settings, "MICROCOURT_ADMIN_RECORDER", DEFAULT_RECORDER))
    recorder(**change)


def _label(obj: Model) -> str:
    return str(obj)[:200]


class CourtScopedAdmin(admin.ModelAdmin):
    # The lookup from this model to its court's id ("court", "case__court", "pk" for the court
    # itself); None: the model has no court and is for platform operators only.
    court_field: str | None = None
    # Operators state a reason for every change (accounts, roles, court settings). Such rows
    # are deactivated, never deleted, in the admin: the delete page has no place for a reason
    # and the record of who held what must stay.
    reason_required = False

    # --- What a court administrator sees ----------------------------------------------------

    def get_queryset(self, request) -> QuerySet:
        queryset = super().get_queryset(request)
        if is_operator(request):
            return queryset
        courts = administered_courts(request)
        if self.court_field is None or not courts:
            return queryset.none()
        queryset = queryset.filter(**{f"{self.court_field}__in": courts})
        if lookup_spawns_duplicates(self.opts, self.court_field):
            queryset = queryset.distinct()
        return queryset

    def _may(self, request, obj: Model | None) -> bool:
        """Operators may; a court administrator only where the model has a court and the
        object (if any) is at one of theirs; nobody else."""
        if is_operator(request):
            return True
        if self.court_field is None or not administered_courts(request):
            return False
        if obj is None:
            return True
        return obj.pk is not None and self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return self._may(request, None) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        if self.reason_required:
            return False
        return self._may(request, obj) and super().has_delete_permission(request, obj)

    def _choices(self, request, model: type[Model]) -> QuerySet:
        """A court administrator picks only among what the admin shows them: the related
        model's own scoped rows, or, for one with a court but no admin page (divisions),
        the rows of their courts."""
        related_admin = self.admin_site._registry.get(model)
        if isinstance(related_admin, CourtScopedAdmin):
            return related_admin.get_queryset(request)
        queryset = model._default_manager.all()
        if any(field.name == "court" for field in model._meta.fields):
            return queryset.filter(court__in=administered_courts(request))
        return queryset.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not is_operator(request) and "queryset" not in kwargs:
            kwargs["queryset"] = self._choices(request, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not is_operator(request) and "queryset" not in kwargs:
            kwargs["queryset"] = self._choices(request, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- The operator's reason --------------------------------------------------------------

    def asks_reason(self, request) -> bool:
        return self.reason_required and is_operator(request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.asks_reason(request):
            return fieldsets
        # The reason is its own last section, wherever the form's field order put it.
        rest = [
            (name, {**options, "fields": [f for f in options["fields"] if f != REASON]})
            for name, options in fieldsets
        ]
        return [*rest, (_("变更理由"), {"fields": [REASON]})]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # "reason" is no model field: keep it out of the model form's fields, then declare it.
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [f for f in kwargs["fields"] if f != REASON]
        form = super().get_form(request, obj, change=change, **kwargs)
        if not self.asks_reason(request):
            return form
        return type(form.__name__, (form,), {REASON: reason_field()})

    # --- Every admin write is in the ledger -------------------------------------------------

    def court_of(self, obj: Model) -> int | None:
        """The object's court, if it has exactly one (a person may work at several)."""
        if self.court_field is None or obj.pk is None:
            return None
        rows = self.model._default_manager.filter(pk=obj.pk).values_list(
            self.court_field, flat=True
        )
        courts = set(rows) - {None}
        return courts.pop() if len(courts) == 1 else None

    def admin_actor(self, request, court_id: int | None) -> Actor:
        """Who the entry names: the operator as such, or the court administrator acting at
        the object's court."""
        actor = actor_of(request)
        if is_operator(request):
            return Actor(
                user=request.user,
                role=OPERATOR,
                court_id=court_id,
                court_roles=actor.court_roles if actor is not None else frozenset(),
            )
        if actor is None:  # the admin site lets no anonymous user this far
            raise PermissionError("an admin change needs a signed-in user")
        return actor.acting(COURT_ADMIN, court_id)

    def record_change(
        self,
        request,
        obj: Model,
        action: str,
        *,
        fields: list[str] | None = None,
        inlines: list[dict[str, Any]] | None = None,
        reason: str = "",
    ) -> None:
        court_id = self.court_of(obj)
        _record(
            actor=self.admin_actor(request, court_id),
            action=action,
            obj=f"{obj._meta.label}:{obj.pk}",
            label=_label(obj),
            fields=fields or [],
            inlines=inlines or [],
            court_id=court_id,
            reason=reason,
        )

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        fields = [f for f in form.changed_data if f != REASON]
        inlines = [summary for formset in formsets if (summary := _inline_changes(formset))]
        if change and not fields and not inlines:
            return  # saved without a change: nothing happened
        reason = (getattr(form, "cleaned_data", {}).get(REASON) or "").strip()
        self.record_change(
            request,
            form.instance,
            "change" if change else "add",
            fields=fields,
            inlines=inlines,
            reason=reason,
        )

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            self.record_change(request, obj, "delete")  # before: its court is still readable
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.record_change(request, obj, "delete")
            super().delete_queryset(request, queryset)


def _inline_changes(formset: Any) -> dict[str, Any] | None:
    """What an inline formset saved, by object (field names only, never values)."""
    added = [_label(obj) for obj in formset.new_objects]
    changed = [[_label(obj), list(fields)] for obj, fields in formset.changed_objects]
    deleted = [_label(obj) for obj in formset.deleted_objects]
    if not (added or changed or deleted):
        return None
    return {
        "model": formset.model._meta.label,
        "added": added,
        "changed": changed,
        "deleted": deleted,
    }


def scope_registered_admins(site: admin.AdminSite = admin.site) -> None:
    """Give admins registered by other packages (auth's groups, allauth's e-mail addresses
    and authenticators, the task queue) the same rules: they hold no court data, so they
    are the operators' alone, and their changes are recorded too."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, CourtScopedAdmin):
            continue
        scoped = type(type(model_admin).__name__, (CourtScopedAdmin, type(model_admin)), {})
        site.unregister(model)
        site.register(model, scoped)
