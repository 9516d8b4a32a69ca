"""The marketplaces we run in; declared in `buyer_messaging.domain`, named here for old imports."""

from __future__ import annotations

from buyer_messaging.domain import BY_ID, MARKETPLACES, Marketplace, marketplace

__all__ = ["BY_ID", "MARKETPLACES", "Marketplace", "marketplace"]
