"""A faithful simulator of the part of Pipedrive's API that Cardin uses (see SPEC section 7)."""

from cardin.sandbox.data import Company, Dataset
from cardin.sandbox.demo import (
    COLLEAGUE_TOKEN,
    CROSS_ACCOUNT_EMAIL,
    DELETED_EMAIL,
    DEMO_COMPANY_DOMAIN,
    DEMO_COMPANY_ID,
    DEMO_TOKEN,
    DEMO_USER_ID,
    HUGE_EMAIL,
    INACTIVE_COMPANY_ID,
    INACTIVE_TOKEN,
    JAPANESE_EMAIL,
    MINIMAL_EMAIL,
    MIXED_CASE_EMAIL,
    RICH_EMAIL,
    SECOND_COMPANY_ID,
    SECOND_TOKEN,
    SHARED_EMAIL,
    UNKNOWN_EMAIL,
    demo_dataset,
)
from cardin.sandbox.faults import FaultKind, FaultPlan, FaultRule
from cardin.sandbox.gateway import RecordedRequest, Sandbox
from cardin.sandbox.serve import build_sandbox, serve

__all__ = [
    "COLLEAGUE_TOKEN",
    "CROSS_ACCOUNT_EMAIL",
    "DELETED_EMAIL",
    "DEMO_COMPANY_DOMAIN",
    "DEMO_COMPANY_ID",
    "DEMO_TOKEN",
    "DEMO_USER_ID",
    "HUGE_EMAIL",
    "INACTIVE_COMPANY_ID",
    "INACTIVE_TOKEN",
    "JAPANESE_EMAIL",
    "MINIMAL_EMAIL",
    "MIXED_CASE_EMAIL",
    "RICH_EMAIL",
    "SECOND_COMPANY_ID",
    "SECOND_TOKEN",
    "SHARED_EMAIL",
    "UNKNOWN_EMAIL",
    "Company",
    "Dataset",
    "FaultKind",
    "FaultPlan",
    "FaultRule",
    "RecordedRequest",
    "Sandbox",
    "build_sandbox",
    "demo_dataset",
    "serve",
]
