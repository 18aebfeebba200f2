"""The network and request logic of the plugin, usable without any widget.

Every call builds a URL from a few typed parameters, sends it through QGIS's own network stack
(QgsBlockingNetworkRequest, so proxies, SSL settings and the network logger all apply) and returns the
decoded JSON document or raises ApiError carrying the server's RFC 7807 problem ``detail``.

QgsBlockingNetworkRequest blocks the thread that calls it, so the dock calls these functions inside a
QgsTask (see tasks.py); the functions themselves are plain and synchronous, which keeps them easy to test.
"""

import datetime
import json
from urllib.parse import quote, urlencode, urlsplit

from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest

from qgis.core import QgsBlockingNetworkRequest

USER_AGENT = "RsGeoSearch-QGIS-plugin"
DEFAULT_TIMEOUT_MS = 120000
MAX_LIMIT = 1000


class ApiError(Exception):
    """A failed request: the server's problem document, or why no answer came back."""

    def __init__(self, message, status=None, title=None, detail=None, url=None, parameter=None):
        super().__init__(message)
        self.status = status
        self.title = title
        self.detail = detail
        self.url = url
        self.parameter = parameter

    @property
    def message(self):
        return str(self)


class Cancelled(ApiError):
    """The user (or the task manager) cancelled the request."""


def normalise_base_url(url):
    """``http(s)://host[:port][/path]`` without a trailing slash; raises ApiError for anything else."""
    text = (url or "").strip()
    if not text:
        raise ApiError("No server URL is set: enter the address of an `rsgeo serve` server, e.g. http://127.0.0.1:8080")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiError("'{}' is not a server URL: it must start with http:// or https://, e.g. http://127.0.0.1:8080".format(text))
    if parts.query or parts.fragment:
        raise ApiError("The server URL '{}' must not contain '?' or '#'".format(text))
    return text.rstrip("/")


def format_bbox(bbox):
    """``minx,miny,maxx,maxy`` (EPSG:4326 degrees) clamped to the world, with up to 9 decimals."""
    minx, miny, maxx, maxy = bbox
    minx, maxx = max(-180.0, float(minx)), min(180.0, float(maxx))
    miny, maxy = max(-90.0, float(miny)), min(90.0, float(maxy))
    if minx > maxx or miny > maxy:
        raise ApiError("The extent {} is empty or lies outside the world (EPSG:4326)".format(bbox))
    return ",".join(_num(v) for v in (minx, miny, maxx, maxy))


def _num(v):
    text = "{:.9f}".format(v).rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _date_text(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    return text or None


def format_datetime(start=None, end=None):
    """The OGC ``datetime`` interval ``a/b`` with open ends as ``..``; dates cover whole UTC days. None when both are open."""
    a, b = _date_text(start), _date_text(end)
    if a is None and b is None:
        return None
    if a is not None and b is not None and a > b:
        raise ApiError("The date range starts ({}) after it ends ({})".format(a, b))
    return "{}/{}".format(a or "..", b or "..")


def _check_limit(limit):
    limit = int(limit)
    if limit < 1 or limit > MAX_LIMIT:
        raise ApiError("limit must lie between 1 and {} (got {})".format(MAX_LIMIT, limit))
    return limit


def _url(base, path, params):
    query = [(k, v) for k, v in params if v is not None and v != ""]
    url = normalise_base_url(base) + path
    if query:
        url += "?" + urlencode(query, quote_via=quote, safe=",:/.")
    return url


def _ids(ids, what):
    """"1,2,3" for chip ids (examples of relevance feedback), None when there are none."""
    out = []
    for v in ids or []:
        try:
            n = int(v)
        except (TypeError, ValueError):
            raise ApiError("{} is not a chip id ({})".format(v, what))
        if n < 1:
            raise ApiError("{} is not a chip id ({})".format(v, what))
        if n not in out:
            out.append(n)
    return ",".join(str(n) for n in out) or None


def search_url(base, q=None, bbox=None, start=None, end=None, limit=50, model=None, min_score=None, offset=None,
               like=None, unlike=None):
    """GET /search: chips ranked by the text ``q`` (and/or the examples ``like`` / ``unlike``, chip ids) inside
    ``bbox`` (EPSG:4326) and the date range; ``min_score`` drops weaker matches."""
    q = (q or "").strip() or None
    like_text, unlike_text = _ids(like, "more like"), _ids(unlike, "less like")
    if unlike_text and not (q or like_text):
        raise ApiError("'Less like' needs a text or a 'more like' chip: it pushes results away from examples, it does not search on its own")
    return _url(base, "/search", [
        ("q", q),
        ("like", like_text),
        ("unlike", unlike_text),
        ("bbox", format_bbox(bbox) if bbox else None),
        ("datetime", format_datetime(start, end)),
        ("limit", str(_check_limit(limit))),
        ("offset", str(int(offset)) if offset else None),
        ("min_score", _num(min_score) if min_score is not None else None),
        ("model", model or None),
    ])


def similar_url(base, chip_id, bbox=None, start=None, end=None, limit=50, model=None):
    """GET /chips/{id}/similar: chips that look like chip ``chip_id`` (the chip itself comes first)."""
    chip_id = int(chip_id)
    if chip_id < 1:
        raise ApiError("{} is not a chip id".format(chip_id))
    return _url(base, "/chips/{}/similar".format(chip_id), [
        ("bbox", format_bbox(bbox) if bbox else None),
        ("datetime", format_datetime(start, end)),
        ("limit", str(_check_limit(limit))),
        ("model", model or None),
    ])


def changes_url(base, bbox, date_from, date_to, q=None, limit=None, model=None, from_q=None, to_q=None):
    """GET /changes?bbox=&from=&to=&q=: how the place changed between two acquisition dates
    (without ``date_from``/``date_to``: the first/last date the server has there).

    ``q``: places whose later chip moved towards the text; ``from_q``/``to_q``: what it was and what it became."""
    if bbox is None:
        raise ApiError("Changes need an extent (bbox)")
    a, b = _date_text(date_from), _date_text(date_to)   # either may be open: the server takes the first/last date
    if a and b and a > b:
        raise ApiError("The 'from' date ({}) is after the 'to' date ({})".format(a, b))
    return _url(base, "/changes", [
        ("bbox", format_bbox(bbox)),
        ("from", a),
        ("to", b),
        ("q", (q or "").strip() or None),
        ("from_q", (from_q or "").strip() or None),
        ("to_q", (to_q or "").strip() or None),
        ("limit", str(_check_limit(limit)) if limit else None),
        ("model", model or None),
    ])


def thumbnail_url(base, chip_id, size=None):
    url = "{}/chips/{}.png".format(normalise_base_url(base), int(chip_id))
    return url + ("?size={}".format(int(size)) if size else "")


def problem_message(status, body, content_type=""):
    """A readable one-line message from an error response: the problem+json ``detail`` when there is one."""
    title = detail = parameter = None
    if body:
        try:
            doc = json.loads(bytes(body).decode("utf-8", "replace"))
            if isinstance(doc, dict):
                title = doc.get("title") if isinstance(doc.get("title"), str) else None
                detail = doc.get("detail") if isinstance(doc.get("detail"), str) else None
                parameter = doc.get("parameter") if isinstance(doc.get("parameter"), str) else None
        except ValueError:
            pass
    if detail:
        text = detail
    elif title:
        text = title
    else:
        text = "the server answered HTTP {}".format(status) if status else "the server did not answer"
    return text, title, detail, parameter


class Client:
    """Talks to one `rsgeo serve` server. ``api_key`` (if any) is sent as X-API-Key; keep it out of logs."""

    def __init__(self, base_url, api_key=None, timeout_ms=DEFAULT_TIMEOUT_MS):
        self.base_url = normalise_base_url(base_url)
        self._api_key = api_key or None
        self.timeout_ms = int(timeout_ms)

    # -- endpoints -------------------------------------------------------------------------------------------
    def search(self, feedback=None, **params):
        return self.get_json(search_url(self.base_url, **params), feedback)

    def similar(self, chip_id, feedback=None, **params):
        return self.get_json(similar_url(self.base_url, chip_id, **params), feedback)

    def changes(self, bbox, date_from, date_to, feedback=None, **params):
        return self.get_json(changes_url(self.base_url, bbox, date_from, date_to, **params), feedback)

    def models(self, feedback=None):
        """[{name, family, dimension, is_default}] from GET /models."""
        doc = self.get_json(self.base_url + "/models", feedback)
        models = doc.get("models") if isinstance(doc, dict) else None
        if not isinstance(models, list):
            raise ApiError("GET /models did not return a list of models", url=self.base_url + "/models")
        return [m for m in models if isinstance(m, dict) and m.get("name")]

    def chip_image(self, chip_id, feedback=None, size=512):
        """(GeoJSON feature of the chip, its PNG bytes): what "add chip image as a layer" needs."""
        feature = self.get_json("{}/chips/{}".format(self.base_url, int(chip_id)), feedback)
        png, _, _ = self.get(thumbnail_url(self.base_url, chip_id, size), feedback, accept="image/png")
        return feature, png

    def library_dates(self, feedback=None):
        """The acquisition dates (YYYY-MM-DD, sorted) of the server's scenes, from GET /scenes."""
        doc = self.get_json(self.base_url + "/scenes?limit=1000", feedback)
        days = set()
        for f in doc.get("features") or []:
            acquired = (f.get("properties") or {}).get("acquired")
            if isinstance(acquired, str) and len(acquired) >= 10:
                days.add(acquired[:10])
        return sorted(days)

    def health(self, feedback=None):
        return self.get_json(self.base_url + "/health", feedback)

    # -- transport -------------------------------------------------------------------------------------------
    def get_json(self, url, feedback=None):
        content, status, _ = self.get(url, feedback, accept="application/geo+json, application/json;q=0.9")
        try:
            return json.loads(bytes(content).decode("utf-8"))
        except ValueError as e:
            raise ApiError("The server at {} did not answer with JSON ({})".format(self.base_url, e), status=status, url=url)

    def get(self, url, feedback=None, accept="*/*"):
        """(body bytes, HTTP status, content type); raises ApiError on any failure, Cancelled when cancelled."""
        request = QNetworkRequest(QUrl(url))
        request.setRawHeader(b"Accept", accept.encode("ascii"))
        request.setRawHeader(b"User-Agent", USER_AGENT.encode("ascii"))
        if self._api_key:
            request.setRawHeader(b"X-API-Key", self._api_key.encode("utf-8"))
        try:
            request.setTransferTimeout(self.timeout_ms)
        except AttributeError:  # Qt < 5.15
            pass
        blocking = QgsBlockingNetworkRequest()
        code = blocking.get(request, True, feedback)
        reply = blocking.reply()
        status = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
        status = int(status) if status not in (None, "") else None
        content = bytes(reply.content())
        content_type = bytes(reply.rawHeader(b"Content-Type")).decode("latin-1")
        if feedback is not None and feedback.isCanceled():
            raise Cancelled("The request was cancelled", url=url)
        if code == QgsBlockingNetworkRequest.NoError and status is not None and status < 400:
            return content, status, content_type
        if status is not None and status >= 400:
            text, title, detail, parameter = problem_message(status, content, content_type)
            raise ApiError(text, status=status, title=title, detail=detail, url=url, parameter=parameter)
        reason = blocking.errorMessage() or "no answer"
        raise ApiError("Could not reach the RsGeoSearch server at {}: {}".format(self.base_url, reason), url=url)
