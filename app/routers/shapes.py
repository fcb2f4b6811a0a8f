"""Route shapes that many endpoints share, written once.

A state transition (``POST /engagements/{id}/accept``), a read of one item, a plain list and a
create with ``Location`` look the same for every resource; only the path, the models and the
service call differ. Each route is still declared in its resource's module, one call naming its
path, summary and service call, so the module lists its routes. The endpoint built here has the
parameters a hand-written one would have (same names, types and dependencies), so FastAPI
validates, documents and names it (operation id from ``name``) exactly alike.

A reference collection (``Collection``) names its router, path and public model once for its
create, list and read. Hand-written routes share the two answers every list and create gives:
``page_of`` (a service's rows and cursor as one page) and ``located`` (the created item with its
URL in ``Location``).
"""

import inspect
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, Response

from app.auth import CurrentPrincipal
from app.db import SessionDep
from app.models.base import ApiModel, Page, PublicModel
from app.pagination import PageParams
from app.services.reference.common import resource_url

Service = Callable[..., Awaitable[Any]]
P = TypeVar("P", bound=PublicModel)
T = TypeVar("T")


def _route(
    router: APIRouter,
    method: str,
    path: str,
    name: str,
    parameters: dict[str, Any],
    run: Callable[..., Awaitable[Any]],
    **options: Any,
) -> None:
    router.add_api_route(path, _endpoint(name, parameters, run), methods=[method], name=name, **options)


def _endpoint(name: str, parameters: dict[str, Any], run: Callable[..., Awaitable[Any]]) -> Any:
    """An async endpoint with exactly these keyword parameters (``name → annotation``)."""

    async def endpoint(**kwargs: Any) -> Any:
        return await run(**kwargs)

    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a) for n, a in parameters.items()]
    )
    endpoint.__name__ = endpoint.__qualname__ = name
    return endpoint


@dataclass(frozen=True)
class Call:
    """A route on one item ``{id}``: ``act(session, principal, id[, body])``, answered as ``public``
    (a list of them when ``many``). State transitions (``POST …/accept``), sub-resources created
    on the item (``POST …/subcontracts``, 201) and their lists (``GET …/subcontracts``) alike."""

    method: str
    path: str
    name: str
    summary: str
    act: Service
    public: type[PublicModel]
    body: type[ApiModel] | None = None
    status_code: int = 200
    many: bool = False


def item_routes(router: APIRouter, *, id_param: str, calls: list[Call]) -> None:
    """Register every call, in order; ``id_param`` names the item's path parameter."""
    for call in calls:
        item_route(router, call, id_param=id_param)


def item_route(router: APIRouter, call: Call, *, id_param: str, principal: Any = CurrentPrincipal) -> None:
    parameters: dict[str, Any] = {id_param: uuid.UUID}
    if call.body is not None:
        parameters["body"] = call.body
    parameters |= {"session": SessionDep, "principal": principal}
    public = call.public

    async def run(session: Any, principal: Any, body: Any = None, **ids: Any) -> Any:
        args = (session, principal, ids[id_param]) + ((body,) if body is not None else ())
        result = await call.act(*args)
        return [public.model_validate(r) for r in result] if call.many else public.model_validate(result)

    options = {"summary": call.summary, "status_code": call.status_code}
    options["response_model"] = list[public] if call.many else public  # type: ignore[valid-type]
    _route(router, call.method, call.path, call.name, parameters, run, **options)


def get_route(
    router: APIRouter,
    path: str,
    *,
    name: str,
    summary: str,
    public: type[PublicModel],
    load: Service,
    key: Any = uuid.UUID,
) -> None:
    """``GET <item>``: ``load(session, principal, key)`` as ``public``; the key is the path's last
    parameter (``/regions/{region_id}``), ``key`` types it."""
    ends_with_key = re.search(r"\{([a-z_]+)\}$", path)
    if ends_with_key is None:
        raise ValueError(f"an item path ends with its key in braces, not {path}")
    key_param = ends_with_key.group(1)
    parameters = {key_param: key, "session": SessionDep, "principal": CurrentPrincipal}

    async def run(session: Any, principal: Any, **keys: Any) -> Any:
        return public.model_validate(await load(session, principal, keys[key_param]))

    _route(router, "GET", path, name, parameters, run, summary=summary, response_model=public)


def page_of(
    public: type[P], found: tuple[Iterable[Any], str | None], present: Callable[[Any], P] | None = None
) -> Page[P]:
    """A page of ``public`` from a service's ``(rows, next cursor)``; each row as ``present`` makes
    it (by default ``public.model_validate``)."""
    rows, cursor = found
    make = present or public.model_validate
    return Page[public](items=[make(row) for row in rows], next_cursor=cursor)  # type: ignore[valid-type]


def located(response: Response, item: T, *path: object) -> T:
    """``item`` as a create answers it: with its URL (``resource_url(*path)``) in ``Location``."""
    response.headers["Location"] = resource_url(*path)
    return item


def list_route(
    router: APIRouter, path: str, *, name: str, summary: str, public: type[PublicModel], load: Service
) -> None:
    """``GET <collection>`` without filters: ``load(session, principal, page)`` → one page."""
    parameters = {"session": SessionDep, "principal": CurrentPrincipal, "page": PageParams}

    async def run(session: Any, principal: Any, page: Any) -> Any:
        return page_of(public, await load(session, principal, page))

    page_model = Page[public]  # type: ignore[valid-type]
    _route(router, "GET", path, name, parameters, run, summary=summary, response_model=page_model)


def create_route(
    router: APIRouter,
    path: str,
    *,
    name: str,
    summary: str,
    body: type[ApiModel],
    public: type[PublicModel],
    create: Service,
    principal: Any,
    key: Callable[[Any], Any] = lambda created: created.id,
    **options: Any,
) -> None:
    """``POST <collection>``: ``create(session, principal, body)``, 201 with ``Location``."""
    parameters = {"body": body, "session": SessionDep, "principal": principal, "response": Response}
    collection = path.strip("/").split("/")[-1]

    async def run(body: Any, session: Any, principal: Any, response: Response) -> Any:
        created = await create(session, principal, body)
        response.headers["Location"] = resource_url(collection, key(created))
        return public.model_validate(created)

    options = {"summary": summary, "response_model": public, "status_code": 201, **options}
    _route(router, "POST", path, name, parameters, run, **options)


@dataclass(frozen=True)
class Collection:
    """A collection of reference items (``/regions``) whose routes share the router, the path and
    the public model: ``create`` (``POST``, 201 with ``Location``), ``list`` (``GET``, one page)
    and ``get`` (``GET`` of one item). Each route is still one call in the resource's module,
    naming its operation, summary and service call."""

    router: APIRouter
    path: str
    public: type[PublicModel]
    creator: Any = CurrentPrincipal  # who may create (a role alias)

    def create(
        self,
        name: str,
        summary: str,
        body: type[ApiModel],
        create: Service,
        key: Callable[[Any], Any] = lambda created: created.id,
    ) -> None:
        create_route(
            self.router,
            self.path,
            name=name,
            summary=summary,
            body=body,
            public=self.public,
            create=create,
            principal=self.creator,
            key=key,
        )

    def list(self, name: str, summary: str, load: Service) -> None:
        list_route(self.router, self.path, name=name, summary=summary, public=self.public, load=load)

    def get(self, path: str, name: str, summary: str, load: Service, key: Any = uuid.UUID) -> None:
        get_route(self.router, path, name=name, summary=summary, public=self.public, load=load, key=key)
