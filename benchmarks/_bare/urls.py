"""``GET /api/items/{id}`` with ``Authorization: Bearer <key>``: one token lookup, one row."""

import hashlib

from django.shortcuts import get_object_or_404
from django.urls import path
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from .models import Item, Token


class Bearer(HttpBearer):
    def authenticate(self, request, token):
        digest = hashlib.sha256(token.encode()).hexdigest()
        return Token.objects.filter(key_hash=digest).values_list("owner", flat=True).first()


class ItemOut(Schema):
    id: int
    title: str
    body: str
    created_at: str


api = NinjaAPI(auth=Bearer(), urls_namespace="bare")


@api.get("/items/{item_id}", response=ItemOut)
def item(request, item_id: int):
    row = get_object_or_404(Item, pk=item_id)
    return {
        "id": row.pk,
        "title": row.title,
        "body": row.body,
        "created_at": row.created_at.isoformat(),
    }


urlpatterns = [path("api/", api.urls)]
