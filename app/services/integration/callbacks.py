"""Callback URLs: what a subscription may name, and where a delivery may connect.

Outside dev/test a callback must use https, and it may not reach a loopback, link-local,
private or otherwise internal address (server-side request forgery) unless that address lies in
``PERSPECTIEF_WEBHOOK_ALLOWED_NETWORKS``. The host is resolved again at every delivery and the
request goes to the address that was checked, so a DNS answer that changes later cannot point a
delivery inside.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from app.config import Settings

MAX_URL_LENGTH = 2000
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class CallbackRefused(Exception):
    """The callback cannot be used: an unsafe or unresolvable address. The message is safe to store."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """Where one delivery connects: the checked address, and the name for Host and TLS."""

    url: str
    address: str
    host_header: str
    server_name: str


def _internal(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def address_allowed(address: IpAddress, settings: Settings) -> bool:
    """Every address outside production; in production only public ones, or an allowed network."""
    if settings.env != "prod" or not _internal(address):
        return True
    return any(address in ipaddress.ip_network(n, strict=False) for n in settings.webhook_allowed_networks)


def parse(url: str, settings: Settings) -> SplitResult:
    """The URL's parts, or CallbackRefused when it is not a URL a subscription may name."""
    if len(url) > MAX_URL_LENGTH:
        raise CallbackRefused("url_too_long", f"The callback URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises on a malformed port
    except ValueError as exc:
        raise CallbackRefused("invalid_url", "The callback URL is not a valid URL.") from exc
    allowed = ("https",) if settings.env == "prod" else ("https", "http")
    if parts.scheme not in allowed:
        need = "https" if settings.env == "prod" else "http or https"
        raise CallbackRefused("scheme_not_allowed", f"The callback URL must use {need}.")
    if not parts.hostname:
        raise CallbackRefused("invalid_url", "The callback URL names no host.")
    if parts.username or parts.password:
        raise CallbackRefused("invalid_url", "The callback URL may not carry credentials.")
    if parts.fragment:
        raise CallbackRefused("invalid_url", "The callback URL may not carry a fragment.")
    return parts


async def _resolve(host: str, port: int) -> list[IpAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise CallbackRefused("unresolvable_host", "The callback host does not resolve.") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check(url: str, settings: Settings, *, resolve: bool = True) -> Target:
    """Check the URL and (unless ``resolve`` is off) every address its host resolves to."""
    parts = parse(url, settings)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not resolve:
        return Target(url, host, parts.netloc, host)
    addresses = await _resolve(host, port)
    if not addresses:
        raise CallbackRefused("unresolvable_host", "The callback host does not resolve.")
    if not all(address_allowed(a, settings) for a in addresses):
        raise CallbackRefused(
            "address_not_allowed", "The callback host is an internal address that is not allowed."
        )
    chosen = addresses[0]
    literal = f"[{chosen}]" if isinstance(chosen, ipaddress.IPv6Address) else str(chosen)
    pinned = parts._replace(netloc=f"{literal}:{port}").geturl()
    return Target(pinned, str(chosen), parts.netloc, host)
