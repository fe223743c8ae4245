"""The payments app's JSON API: one router, registered once in ``microcourt/api.py``, made of
the public fee quote (``fees``) and the payer's orders (``orders``)."""

from ninja import Router

from . import fees, orders

router = Router()
router.add_router("", orders.router)
router.add_router("", fees.router)
