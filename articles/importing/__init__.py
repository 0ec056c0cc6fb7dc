"""The seed importer: read → parse → normalise (furniture, sanitise) → upsert.

Each stage is a small function with typed inputs and outputs; only ``upsert``
touches the database. A bad document raises ``ImportRefused``.
"""
