"""Amazon's published usage plans (rate per second, burst) for the operations we call.

Figures from Amazon's SP-API models; the live `x-amzn-RateLimit-Limit` header overrides the rate.
"""

from __future__ import annotations

USAGE_PLANS: dict[str, tuple[float, int]] = {
    "getOrders": (0.0167, 20),
    "getOrder": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "getOrderAddress": (0.5, 30),
    "getOrderBuyerInfo": (0.5, 30),
    "searchOrders": (0.0056, 20),
    "createRestrictedDataToken": (1.0, 10),
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
    "getSolicitationActionsForOrder": (1.0, 5),
    "createProductReviewAndSellerFeedbackSolicitation": (1.0, 5),
    "getMessagingActionsForOrder": (1.0, 5),
    "GetAttributes": (1.0, 5),
    "createUnexpectedProblem": (1.0, 5),
    "CreateWarranty": (1.0, 5),
    "createConfirmDeliveryDetails": (1.0, 5),
}
DEFAULT_PLAN: tuple[float, int] = (1.0, 1)


def usage_plan(operation: str) -> tuple[float, int]:
    return USAGE_PLANS.get(operation, DEFAULT_PLAN)
