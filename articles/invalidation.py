"""What tells the world outside the app that reader-visible content changed.

``surrogate_keys_purged`` is sent once the transaction of a reader-visible change has
committed, with ``keys``: a ``frozenset[str]`` of the surrogate keys (the names public
pages give in their ``Surrogate-Key`` header) whose pages are stale from now on. HTTP
caches in front of the app (``articles.http_purge``) listen to it.
"""

from django.dispatch import Signal

# Sent as ``surrogate_keys_purged.send(sender=None, keys=frozenset(...))``.
surrogate_keys_purged = Signal()
