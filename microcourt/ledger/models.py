"""The ledger's tables. Five are evidence and insert-only; ``LedgerState`` is a cursor.

- ``Entry``: what ``record`` writes, in the caller's transaction: the public part (canonical
  JSON, hashed into the tree) and the private part (who, which case, details).
- ``Leaf``: the entry's position in the tree (0, 1, 2, … without gaps) and its leaf hash,
  written by the integrator.
- ``Node``: the hash of every complete subtree, keyed (level, index); level 0 repeats the
  leaf hashes so that any proof is one read of one table.
- ``Checkpoint`` and ``Cosignature``: signed tree heads and the witnesses' cosignatures.

Insert-only is enforced twice: the models and querysets below refuse updates and deletes (so
application code cannot change evidence on any database), and on PostgreSQL triggers refuse
UPDATE and DELETE for everyone (migration 0002). An operator who gets around both is caught
by the tree: the audit, the signed checkpoints and the witnesses' copies of them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Application code tried to change or delete ledger evidence."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: no UPDATE")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: no DELETE")

    def _raw_delete(self, using: str) -> int:  # the fast path of cascades
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: no DELETE")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: no UPDATE")


class AppendOnlyModel(models.Model):
    objects: ClassVar[models.Manager] = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        # Django's internals (cascades, refresh) use the base manager: make it this one too.
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only: no UPDATE")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: no DELETE")


class Entry(AppendOnlyModel):
    code = models.PositiveIntegerField(_("事项代码"))
    created_at = models.DateTimeField(_("记录时间"), db_index=True)
    # The public part exactly as hashed: RFC 8785 canonical JSON, never re-serialised.
    public_json = models.TextField(_("公开部分"))
    subject_digest = models.CharField(
        _("对象摘要"), max_length=71, null=True, blank=True, db_index=True
    )
    case_ref = models.CharField(_("案件化名"), max_length=16, null=True, blank=True)
    # The private part: only authorised viewers see it, and each look is itself recorded.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # accounts with ledger entries are deactivated, not deleted
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_role = models.CharField(_("操作人角色"), max_length=64)
    actor_label = models.CharField(_("操作人标识"), max_length=200)
    # A plain integer until the cases app exists; the public part carries only ``case_ref``.
    case_id = models.BigIntegerField(_("案件"), null=True, blank=True, db_index=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("存证记录")
        verbose_name_plural = _("存证记录")

    def __str__(self) -> str:
        return f"entry {self.pk} (code {self.code})"


class Leaf(AppendOnlyModel):
    index = models.BigIntegerField(_("序号"), primary_key=True)
    entry = models.OneToOneField(
        Entry, on_delete=models.PROTECT, related_name="leaf", verbose_name=_("存证记录")
    )
    leaf_hash = models.BinaryField(_("叶哈希"))

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("叶")
        verbose_name_plural = _("叶")

    def __str__(self) -> str:
        return f"leaf {self.index}"


class Node(AppendOnlyModel):
    """The hash over leaves [index·2^level, (index+1)·2^level)."""

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField()

    class Meta(AppendOnlyModel.Meta):
        pass

    def __str__(self) -> str:
        return f"node ({self.level}, {self.index})"


class Checkpoint(AppendOnlyModel):
    tree_size = models.BigIntegerField(_("树大小"), unique=True)
    root_hash = models.BinaryField(_("根哈希"))
    # The signed note as the log signed it (log signature only; cosignatures are rows).
    note = models.TextField(_("签名检查点"))
    created_at = models.DateTimeField(_("签署时间"), db_index=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("检查点")
        verbose_name_plural = _("检查点")

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size}"


class Cosignature(AppendOnlyModel):
    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.CharField(_("见证方"), max_length=255)
    line = models.TextField(_("联署行"))
    timestamp = models.BigIntegerField(_("联署时间戳"))
    created_at = models.DateTimeField(_("收到时间"))

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("见证联署")
        verbose_name_plural = _("见证联署")
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "witness"], name="ledger_one_cosignature_per_witness"
            )
        ]

    def __str__(self) -> str:
        return f"{self.witness} on {self.checkpoint_id}"


class LedgerState(models.Model):
    """The integrator's cursor (one row, locked while integrating): not evidence, so it
    may change. The audit recomputes it from the tree."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    root_hash = models.BinaryField(default=bytes)
    # The largest entry id integrated: after-commit integration looks above it (and at the
    # ids its transaction recorded, which may commit after larger ones).
    last_entry_id = models.BigIntegerField(default=0)
    # Every entry with an id at or below this is integrated, or was in flight for so long
    # that only the hourly full sweep looks for it (see actions.integrate).
    entry_floor = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"ledger at size {self.size}"
