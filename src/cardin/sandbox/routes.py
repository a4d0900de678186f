"""The operations the sandbox simulates: method, path template, token cost and handler.

Costs are Pipedrive's published `x-token-cost` of each operation (its OpenAPI files); the sandbox
keeps its own table, and `tests/pipedrive/test_costs.py` checks it and the client's against the
specs. A path's `{id}` matches one segment (not a word); the gateway makes it an integer or refuses
it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cardin.sandbox import activities, deals, notes, organizations, v1, v2
from cardin.sandbox.calls import Handler
from cardin.sandbox.errors import ApiError, v1_user_not_found, v2_bad_id

_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Route:
    """One simulated operation; `refuse_id` is its answer to a path id that is not an integer."""

    method: str
    template: str
    cost: int
    handler: Handler
    refuse_id: Callable[[], ApiError] = v2_bad_id
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # templates hold only letters and slashes besides their `{name}` parameters
        regex = _PARAMETER.sub(r"(?P<\1>[^/]+)", self.template)
        object.__setattr__(self, "pattern", re.compile(regex))

    def match(self, path: str) -> dict[str, str] | None:
        """The path's parameters when `path` fits this route's template, else None."""
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None


ROUTES: tuple[Route, ...] = (
    Route("GET", "/v1/users/me", 2, v1.users_me),
    Route("GET", "/v1/users", 20, v1.users),
    # the only error the v1 spec documents for this operation is its 404
    Route("GET", "/v1/users/{id}", 2, v1.user, refuse_id=v1_user_not_found),
    Route("GET", "/v1/activityTypes", 20, v1.activity_types),
    Route("GET", "/v1/currencies", 20, v1.currencies),
    Route("GET", "/v1/personFields", 20, v1.person_fields),
    Route("GET", "/v1/notes", 20, notes.notes),
    Route("POST", "/v1/notes", 10, notes.add_note),
    Route("GET", "/api/v2/personFields", 10, v2.person_fields),
    Route("GET", "/api/v2/persons/search", 20, v2.persons_search),
    Route("GET", "/api/v2/persons", 10, v2.persons),
    Route("POST", "/api/v2/persons", 5, v2.create_person),
    Route("GET", "/api/v2/persons/{id}", 1, v2.person),
    Route("GET", "/api/v2/persons/{id}/picture", 1, v2.person_picture),
    Route("GET", "/api/v2/organizations/search", 20, organizations.search_organizations),
    Route("GET", "/api/v2/organizations", 10, v2.organizations),
    Route("POST", "/api/v2/organizations", 5, organizations.create_organization),
    Route("GET", "/api/v2/organizations/{id}", 1, v2.organization),
    Route("GET", "/api/v2/deals", 10, v2.deals),
    Route("POST", "/api/v2/deals", 5, deals.create_deal),
    Route("GET", "/api/v2/deals/{id}", 1, v2.deal),
    Route("DELETE", "/api/v2/deals/{id}", 3, deals.delete_deal),
    Route("GET", "/api/v2/activities", 10, v2.activities),
    Route("POST", "/api/v2/activities", 5, activities.create_activity),
    Route("GET", "/api/v2/activities/{id}", 1, v2.activity),
    Route("PATCH", "/api/v2/activities/{id}", 5, activities.update_activity),
    Route("GET", "/api/v2/pipelines", 5, v2.pipelines),
    Route("GET", "/api/v2/stages", 5, v2.stages),
)
TOKEN_COSTS: dict[tuple[str, str], int] = {
    (route.method, route.template): route.cost for route in ROUTES
}
_ID = re.compile(r"-?[0-9]+")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True, slots=True)
class Found:
    """A request's route and the texts of its path parameters."""

    route: Route
    params: tuple[str, ...]

    def ids(self) -> tuple[int, ...]:
        """The path parameters as integers; the route's ApiError for one that is not an integer.

        A well-formed id that names nothing (`-1`, `0`, `999999`) is the handler's not-found answer.
        """
        if not all(_ID.fullmatch(text) for text in self.params):
            raise self.route.refuse_id()
        return tuple(int(text) for text in self.params)


@dataclass(frozen=True, slots=True)
class NoRoute:
    """No simulated operation has this path (404) or this method on it (405, `allowed`)."""

    allowed: tuple[str, ...] = ()


def find_route(method: str, path: str, routes: Iterable[Route] = ROUTES) -> Found | NoRoute:
    """The operation for METHOD PATH; HEAD finds the GET operation (its answer has no body).

    A word where an id goes is a path Pipedrive has and the sandbox does not simulate, such as
    `/api/v2/deals/archived`, rather than a malformed id: no route has it.
    """
    wanted = "GET" if method == "HEAD" else method
    allowed: list[str] = []
    for route in routes:
        params = route.match(path)
        if params is None or any(_WORD.fullmatch(text) for text in params.values()):
            continue
        if route.method == wanted:
            return Found(route, tuple(params.values()))
        allowed.append(route.method)
    return NoRoute(tuple(allowed))
