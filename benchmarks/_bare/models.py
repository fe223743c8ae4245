"""Two tables: who holds a token (only its hash stored, as microcourt does) and the rows read."""

from django.db import models


class Token(models.Model):
    key_hash = models.CharField(max_length=64, unique=True)  # the one indexed lookup
    owner = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.owner


class Item(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.title
