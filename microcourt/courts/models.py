from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from microcourt.core.models import BaseModel
from microcourt.identity.roles import OrgRole


class Level(models.TextChoices):
    SUPREME = "supreme", _("最高人民法院")
    HIGH = "high", _("高级人民法院")
    INTERMEDIATE = "intermediate", _("中级人民法院")
    BASIC = "basic", _("基层人民法院")


class Specialty(models.TextChoices):
    NONE = "", _("普通法院")
    MARITIME = "maritime", _("海事法院")
    INTERNET = "internet", _("互联网法院")
    IP = "ip", _("知识产权法院")
    FINANCIAL = "financial", _("金融法院")
    RAILWAY = "railway", _("铁路运输法院")
    MILITARY = "military", _("军事法院")
    XPCC = "xpcc", _("兵团法院")


class Court(BaseModel):
    """A people's court, with its 法院代字 and 法院导航 information. Codes and navigation
    data that were inferred rather than confirmed are flagged for administrators."""

    code = models.CharField(_("法院代字"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=64, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    specialty = models.CharField(
        _("专门法院类别"), max_length=16, choices=Specialty.choices, blank=True, default=""
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级法院"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province = models.CharField(_("省份"), max_length=32, blank=True)
    city = models.CharField(_("城市"), max_length=32, blank=True)
    district = models.CharField(_("区县"), max_length=32, blank=True)
    division_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=64, blank=True)
    hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    hours_en = models.CharField(_("英文办公时间"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    code_inferred = models.BooleanField(_("代字待核实"), default=False)
    nav_inferred = models.BooleanField(_("导航信息待核实"), default=False)
    source = models.CharField(_("资料来源"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("法院")
        verbose_name_plural = _("法院")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    def display_hours(self) -> str:
        """Office hours in the reader's language: the English ones where the court has them
        (as ``display_name``); the Chinese otherwise."""
        if get_language() == "en" and self.hours_en:
            return self.hours_en
        return self.hours


class DivisionKind(models.TextChoices):
    FILING = "filing", _("立案庭")
    CIVIL = "civil", _("民事审判庭")
    COMMERCIAL = "commercial", _("商事审判庭")
    ADMINISTRATIVE = "administrative", _("行政审判庭")
    CRIMINAL = "criminal", _("刑事审判庭")
    ENFORCEMENT = "enforcement", _("执行局")
    BANKRUPTCY = "bankruptcy", _("破产审判庭")
    MEDIATION = "mediation", _("诉调对接中心")
    OTHER = "other", _("其他")


class Division(BaseModel):
    """A 庭 (or 局 / 中心) of a court."""

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="divisions")
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类别"), max_length=16, choices=DivisionKind.choices)

    class Meta:
        ordering = ["court", "name"]
        constraints = [
            models.UniqueConstraint(fields=["court", "name"], name="division_unique_name")
        ]
        verbose_name = _("审判庭")
        verbose_name_plural = _("审判庭")

    def __str__(self) -> str:
        return f"{self.court.name}{self.name}"


class StaffAssignment(BaseModel):
    """A person holding an organisational role at a court (optionally in one division)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_assignments",
        verbose_name=_("人员"),
    )
    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="staff", verbose_name=_("法院")
    )
    division = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("审判庭"),
    )
    role = models.CharField(_("角色"), max_length=32, choices=OrgRole.choices)
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "court", "role"], name="staff_assignment_unique"
            )
        ]
        verbose_name = _("人员任职")
        verbose_name_plural = _("人员任职")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.court.name}"


class CourtClosure(models.Model):
    """A day the court is closed that the national calendar does not know (e.g. a typhoon)."""

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["court", "date"], name="closure_unique_day")]
        verbose_name = _("法院停止办公日")
        verbose_name_plural = _("法院停止办公日")

    def __str__(self) -> str:
        return f"{self.court.name} {self.date} {self.reason}"


class AssignmentKind(models.TextChoices):
    """How a division's new cases reach a judge (分案)."""

    # Among the division's judges, fewer open cases → more likely (随机分案, weighted).
    WEIGHTED_RANDOM = "weighted_random", _("随机分案（按在办案件数加权）")
    # Each judge in turn (轮流分案); the pointer is kept on the rule.
    ROTATION = "rotation", _("轮流分案")
    # The division head assigns each case by hand (庭长指定分案): it waits in the head's queue.
    MANUAL = "manual", _("庭长指定分案")


class AssignmentRule(BaseModel):
    """A division's rule for assigning its new cases. A division without a row assigns at
    random, weighted by open caseload (``AssignmentKind.WEIGHTED_RANDOM``)."""

    division = models.OneToOneField(
        Division,
        on_delete=models.CASCADE,
        related_name="assignment_rule",
        verbose_name=_("审判庭"),
    )
    kind = models.CharField(
        _("分案方式"),
        max_length=16,
        choices=AssignmentKind.choices,
        default=AssignmentKind.WEIGHTED_RANDOM,
    )
    # Rotation: the judge who got the last case; the next one in turn follows them.
    last_judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上一位分得案件的法官"),
    )

    class Meta:
        verbose_name = _("分案规则")
        verbose_name_plural = _("分案规则")

    def __str__(self) -> str:
        return f"{self.division} · {self.get_kind_display()}"


class Recusal(BaseModel):
    """A granted 回避: this person of the court may not sit on this case (民诉法第四十七条).
    Decided by the division head; assignment never puts them on the case. The case is named
    by its id (``cases`` sits above ``courts``, so no foreign key points up to it)."""

    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="recusals", verbose_name=_("法院")
    )
    case_id = models.PositiveBigIntegerField(_("案件"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recusals",
        verbose_name=_("回避人员"),
    )
    reason = models.CharField(_("回避事由"), max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("决定人"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case_id", "user"], name="recusal_unique_per_case")
        ]
        verbose_name = _("回避")
        verbose_name_plural = _("回避")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user}"
