"""Stub router (issue 4, being built): see docs/orders-contract.md."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
