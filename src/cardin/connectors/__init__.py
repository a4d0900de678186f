"""Connectors: one configured Pipedrive account of one Google user, and the feature registry."""

from cardin.connectors.features import (
    ALL_FEATURES,
    REGISTRY,
    Feature,
    FeatureInfo,
    default_features,
    effective_features,
)

__all__ = [
    "ALL_FEATURES",
    "REGISTRY",
    "Feature",
    "FeatureInfo",
    "default_features",
    "effective_features",
]
