"""The payments app's writes, one module per entity (ARCHITECTURE §4.2): fee orders,
provider trades (callbacks, reconciliation), refunds, fee relief, payouts, the case's
account lines and receipts. ``from microcourt.payments import actions`` gives them all."""

from .accounts import movement_record
from .duplicates import duplicate_settle
from .orders import PAYMENT_PERIOD, order_checkout, order_close, order_create
from .payouts import payee_account_register, payout_batch_create, payout_batch_run, payouts_resume
from .receipts import receipt_store
from .refunds import refund_request, refund_send, refunds_requery
from .relief import relief_apply, relief_decide
from .trades import callback_receive, reconcile

__all__ = [
    "PAYMENT_PERIOD",
    "callback_receive",
    "duplicate_settle",
    "movement_record",
    "order_checkout",
    "order_close",
    "order_create",
    "payee_account_register",
    "payout_batch_create",
    "payout_batch_run",
    "payouts_resume",
    "receipt_store",
    "reconcile",
    "refund_request",
    "refund_send",
    "refunds_requery",
    "relief_apply",
    "relief_decide",
]
