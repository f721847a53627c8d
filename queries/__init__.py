"""The questions of docs/design.md §5 as plain functions over a read snapshot, returning explained results.

Each module answers one question (``matching``: partner matches, referral partners and fitting
funds; ``islands``, ``brokers``, ``agenda``, ``ladder`` …). The web pages, the JSON API and the CLI
all call these functions, so every channel gives the same answer.
"""

__all__: list[str] = []
