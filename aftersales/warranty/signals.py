"""What the warranty tells higher capabilities, after commit.

``claim_approved(claim)`` is sent once a claim is approved (automatically or by staff) and the
decision is committed: it is where a repair order or a replacement will start.

``return_refunded(return_id, customer_id)`` is sent once the refund of a return is committed: the
money paid back no longer counts as the customer's spend, and what the sale earned may be taken back.
"""

from django.dispatch import Signal

claim_approved = Signal()
return_refunded = Signal()
