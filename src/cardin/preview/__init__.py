"""Local stand-ins that let Cardin run and be tested without a Google deployment.

`LocalGoogle` and `HostRouter` stand in for Google and the network; `create_demo_app` is
`cardin demo`'s one web app (the side-panel preview beside a demo inbox, the add-on service and
the Pipedrive sandbox); `CardRenderer` draws Card v1 JSON as Gmail's side panel does.
"""

from cardin.preview.app import create_demo_app
from cardin.preview.google import LocalGoogle
from cardin.preview.launch import running_demo
from cardin.preview.render import CardRenderer, RenderedCard, UnknownWidget
from cardin.preview.routing import HostRouter

__all__ = [
    "CardRenderer",
    "HostRouter",
    "LocalGoogle",
    "RenderedCard",
    "UnknownWidget",
    "create_demo_app",
    "running_demo",
]
