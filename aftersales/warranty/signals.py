"""What the warranty tells higher capabilities, after commit.

``claim_approved(claim)`` is sent once a claim is approved (automatically or by staff) and the
decision is committed: it is where a repair order or a replacement will start.
"""

from django.dispatch import Signal

claim_approved = Signal()
