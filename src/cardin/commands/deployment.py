"""`cardin deployment --url BASE_URL`: the deployment.json for `gcloud workspace-add-ons`."""

from __future__ import annotations

from typing import Any

from cardin.links import GENERIC_APP, web_app_url

# The least the add-on needs: run in Gmail, read the open message's headers, know the user,
# and format in the user's locale and time zone.
OAUTH_SCOPES = (
    "https://www.googleapis.com/auth/gmail.addons.execute",
    "https://www.googleapis.com/auth/gmail.addons.current.message.metadata",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/script.locale",
    # asked for only when a user opts to log a message's text (granular consent at that moment)
    "https://www.googleapis.com/auth/gmail.addons.current.message.readonly",
)


def deployment(base_url: str, *, name: str = "Cardin for Pipedrive") -> dict[str, Any]:
    """The deployment descriptor for a service reachable at `base_url` (HTTPS)."""
    base = base_url.rstrip("/")
    return {
        "oauthScopes": list(OAUTH_SCOPES),
        "addOns": {
            "common": {
                "name": name,
                "logoUrl": f"{base}/static/icons/logo.png",
                "useLocaleFromApp": True,
                "layoutProperties": {"primaryColor": "#1a73e8", "secondaryColor": "#188038"},
                "homepageTrigger": {"runFunction": f"{base}/addon/homepage", "enabled": True},
                "universalActions": [
                    {"label": "Open Pipedrive", "openLink": web_app_url(GENERIC_APP)},
                ],
                "openLinkUrlPrefixes": [
                    "https://app.pipedrive.com/",
                    "https://*.pipedrive.com/",
                ],
            },
            "gmail": {
                "contextualTriggers": [
                    {"unconditional": {}, "onTriggerFunction": f"{base}/addon/message"}
                ],
            },
            "httpOptions": {
                "authorizationHeader": "SYSTEM_ID_TOKEN",
                # Google requires HTTP add-ons to support granular consent; the service answers
                # `requesting_google_scopes` whenever a scope it needs was not granted. The field
                # is in Google's own HTTP add-on samples, not yet in the published protos.
                "granularOauthPermissionSupport": "OPT_IN",
            },
        },
    }
