"""A tiny model for exercising the core transition engine (test settings only)."""

from django.db import models

from microcourt.core.models import BaseModel


class Petition(BaseModel):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        ACCEPTED = "accepted", "已受理"
        REJECTED = "rejected", "不予受理"
        WITHDRAWN = "withdrawn", "已撤回"

    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    owner_id = models.IntegerField(default=0)
    complete = models.BooleanField(default=True)
    decided_by = models.IntegerField(null=True)
