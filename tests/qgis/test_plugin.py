"""Headless QGIS test of the RsGeoSearch plugin against a running `rsgeo serve`.

Run by tests/qgis.test.sh with Debian's /usr/bin/python3, QT_QPA_PLATFORM=offscreen and
  RSGEO_URL          the server (http://127.0.0.1:PORT)
  RSGEO_PLUGIN_DIR   a folder holding the unpacked plugin folder rsgeosearch/ (the packaged zip)
The QGIS application, providers, network stack, task manager, map canvas and message bar are real; only
``iface`` is a small stand-in because there is no QGIS desktop window. Prints one line per check and ends
with "N passed, N failed".
"""

import json
import os
import socket
import sys
import tempfile
import time
import traceback
import urllib.request

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtXml import QDomDocument
from qgis.PyQt.QtWidgets import QMainWindow

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsAttributeEditorElement,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextScope,
    QgsGeometry,
    QgsGraduatedSymbolRenderer,
    QgsFeatureRequest,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsSettings,
    QgsTask,
    QgsVectorLayer,
)

URL = os.environ.get("RSGEO_URL", "http://127.0.0.1:8080").rstrip("/")
PLUGIN_DIR = os.environ.get("RSGEO_PLUGIN_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "plugins", "qgis")
TASK_TIMEOUT_S = float(os.environ.get("RSGEO_QGIS_TASK_TIMEOUT", "180"))
SHARED = os.environ.get("RSGEO_SHARED_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")
ARTIFACTS = os.environ.get("RSGEO_QGIS_ARTIFACTS")

QgsApplication.setOrganizationName("QGIS")
QgsApplication.setOrganizationDomain("qgis.org")
QgsApplication.setApplicationName("QGIS3")
app = QgsApplication([], True)
app.initQgis()

results = []


def check(name):
    def wrap(fn):
        def run():
            t0 = time.time()
            try:
                detail = fn()
                results.append((name, True))
                print("PASS {} ({:.1f}s){}".format(name, time.time() - t0, " - " + detail if detail else ""), flush=True)
            except Exception as e:  # noqa: BLE001
                results.append((name, False))
                print("FAIL {}: {}".format(name, e), flush=True)
                traceback.print_exc(file=sys.stdout)
        run.__name__ = fn.__name__
        CHECKS.append(run)
        return run
    return wrap


CHECKS = []


# -- a stand-in for QgisInterface: real widgets, no desktop ---------------------------------------------------
class StandInIface:
    def __init__(self):
        from qgis.gui import QgsMapCanvas, QgsMessageBar

        self.window = QMainWindow()
        self.canvas = QgsMapCanvas(self.window)
        self.canvas.resize(800, 600)
        self.bar = QgsMessageBar(self.window)
        self.docks = []
        self.menus = []
        self.toolbar = []
        self.active = None

    def mainWindow(self):
        return self.window

    def mapCanvas(self):
        return self.canvas

    def messageBar(self):
        return self.bar

    def activeLayer(self):
        return self.active

    def setActiveLayer(self, layer):
        self.active = layer
        return True

    def addDockWidget(self, area, dock):
        self.window.addDockWidget(area, dock)
        self.docks.append(dock)

    def removeDockWidget(self, dock):
        self.window.removeDockWidget(dock)
        self.docks.remove(dock)

    def addPluginToWebMenu(self, name, action):
        self.menus.append((name, action))

    def removePluginWebMenu(self, name, action):
        self.menus.remove((name, action))

    def addWebToolBarIcon(self, action):
        self.toolbar.append(action)

    def removeWebToolBarIcon(self, action):
        self.toolbar.remove(action)


iface = StandInIface()


def messages():
    return [(item.title(), item.text(), item.level()) for item in iface.bar.items()]


def clear_messages():
    iface.bar.clearWidgets()


def wait(task, timeout=TASK_TIMEOUT_S):
    """Spins the event loop (as QGIS's own would) until the task's main-thread callbacks have run."""
    assert task is not None, "no task was started; messages: {}".format(messages())
    t0 = time.time()
    spins = 0
    while not task.done:
        QgsApplication.processEvents()
        spins += 1
        time.sleep(0.005)
        if time.time() - t0 > timeout:
            task.cancel()
            raise AssertionError("task '{}' did not finish in {} s".format(task.description(), timeout))
    QgsApplication.processEvents()
    return spins


def http_json(path):
    with urllib.request.urlopen(URL + path, timeout=60) as r:
        return json.loads(r.read().decode("utf-8"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def set_canvas_extent_4326(box, crs="EPSG:3857"):
    """Shows ``box`` (EPSG:4326) on a canvas in ``crs``: the plugin must transform it back."""
    target = QgsCoordinateReferenceSystem(crs)
    iface.canvas.setDestinationCrs(target)
    rect = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), target, QgsProject.instance()) \
        .transformBoundingBox(QgsRectangle(*box))
    iface.canvas.setExtent(rect)
    iface.canvas.refresh()
    return rect


def feature_context(layer, feature):
    """An expression context for one feature of ``layer`` (as map tips and layer actions get)."""
    context = QgsExpressionContext()
    scope = QgsExpressionContextScope()
    scope.setFeature(feature)
    scope.setFields(layer.fields())
    context.appendScope(scope)
    context.setFeature(feature)
    return context


state = {}
EXPECTED_FIELDS = ["id", "score", "acquired", "scene_id", "scene", "level", "col", "row", "window",
                   "nodata_fraction", "thumbnail"]


# -- checks ------------------------------------------------------------------------------------------------
@check("plugin loads through qgis.utils from the packaged folder")
def t_load():
    import qgis.utils

    qgis.utils.iface = iface
    qgis.utils.plugin_paths = [os.path.abspath(PLUGIN_DIR)]
    sys.path.insert(0, os.path.abspath(PLUGIN_DIR))
    qgis.utils.updateAvailablePlugins()
    assert "rsgeosearch" in qgis.utils.available_plugins, qgis.utils.available_plugins
    meta = qgis.utils.pluginMetadata("rsgeosearch", "qgisMinimumVersion")
    assert meta == "3.22", meta
    assert qgis.utils.loadPlugin("rsgeosearch"), "loadPlugin failed"
    assert qgis.utils.startPlugin("rsgeosearch"), "startPlugin failed (classFactory/initGui)"
    plugin = qgis.utils.plugins["rsgeosearch"]
    assert plugin.dock is not None and plugin.dock in iface.docks, "no dock widget"
    assert iface.menus and iface.toolbar, "no menu entry / toolbar button"
    QgsSettings().setValue("rsgeosearch/server_url", URL)
    QgsSettings().setValue("rsgeosearch/authcfg", "")
    plugin.dock.url.setText(URL)
    state["plugin"] = plugin
    return "from " + os.path.abspath(PLUGIN_DIR)


@check("client module: URLs, problem documents and a synchronous search, without any widget")
def t_client():
    import datetime
    from rsgeosearch import client as c

    base = "http://127.0.0.1:9/"
    url = c.search_url(base, q=" flooded farmland & co ", bbox=(-200, -95, 10.5, 20), start=datetime.date(2020, 1, 2), limit=5, model="m-1")
    assert url == "http://127.0.0.1:9/search?q=flooded%20farmland%20%26%20co&bbox=-180,-90,10.5,20&datetime=2020-01-02/..&limit=5&model=m-1", url
    assert c.format_datetime(None, "2021-12-31") == "../2021-12-31"
    assert c.format_datetime(None, None) is None
    assert c.similar_url(base, 12, limit=3) == "http://127.0.0.1:9/chips/12/similar?limit=3"
    assert c.changes_url(base, (1, 2, 3, 4), "2019-01-01", "2020-01-01", q="flooding") == \
        "http://127.0.0.1:9/changes?bbox=1,2,3,4&from=2019-01-01&to=2020-01-01&q=flooding"
    assert c.changes_url(base, (1, 2, 3, 4), None, None) == "http://127.0.0.1:9/changes?bbox=1,2,3,4"
    for bad in (lambda: c.search_url(base, limit=0), lambda: c.search_url(base, limit=1001),
                lambda: c.format_datetime("2021-01-02", "2021-01-01"), lambda: c.normalise_base_url("localhost:8080"),
                lambda: c.changes_url(base, (1, 2, 3, 4), "2021-01-01", "2020-01-01"), lambda: c.format_bbox((5, 0, 1, 1))):
        try:
            bad()
            raise AssertionError("no ApiError")
        except c.ApiError:
            pass
    text, title, detail, parameter = c.problem_message(400, b'{"type":"about:blank","title":"Bad request","status":400,"detail":"bbox is wrong","parameter":"bbox"}')
    assert (text, title, detail, parameter) == ("bbox is wrong", "Bad request", "bbox is wrong", "bbox")
    assert c.problem_message(502, b"<html>proxy</html>")[0] == "the server answered HTTP 502"
    doc = c.Client(URL).search(q="farmland", limit=3)   # synchronous, on this thread
    assert doc["type"] == "FeatureCollection" and 0 < len(doc["features"]) <= 3, doc
    try:
        c.Client(URL).similar(987654321)
        raise AssertionError("no error for a missing chip")
    except c.ApiError as e:
        assert e.status == 404 and e.detail and "987654321" in e.detail, (e.status, e.detail)
        detail = e.detail
    return "404 detail: " + detail


@check("models come from /models into the dock")
def t_models():
    plugin = state["plugin"]
    task = plugin.refresh_models()
    wait(task)
    assert plugin.last_error is None, plugin.last_error
    names = [m["name"] for m in plugin.models]
    server = [m["name"] for m in http_json("/models")["models"]]
    assert names == server and names, (names, server)
    combo = [plugin.dock.model.itemData(i) for i in range(plugin.dock.model.count())]
    assert combo == [""] + names, combo
    state["models"] = names
    return ", ".join(names)


@check("search for the current extent (canvas in EPSG:3857) gives a layer inside the extent")
def t_search():
    plugin = state["plugin"]
    scenes = http_json("/scenes?limit=1000")["features"]
    assert scenes, "the server has no scenes; did ingest run?"
    # The extent: the central part of the first scene, so a real bbox filter is needed to stay inside it.
    minx, miny, maxx, maxy = QgsGeometry.fromWkt(_wkt(scenes[0]["geometry"])).boundingBox().toRectF().getCoords()
    w, h = maxx - minx, maxy - miny
    box = (minx + 0.2 * w, miny + 0.2 * h, maxx - 0.2 * w, maxy - 0.2 * h)
    set_canvas_extent_4326(box)
    extent = plugin.current_extent()
    # what the plugin asks for must be the canvas extent (widened by the canvas to its aspect ratio) in EPSG:4326
    assert extent[0] <= box[0] + 1e-6 and extent[1] <= box[1] + 1e-6 and extent[2] >= box[2] - 1e-6 and extent[3] >= box[3] - 1e-6, (extent, box)
    canvas = iface.canvas.extent()
    back = QgsCoordinateTransform(iface.canvas.mapSettings().destinationCrs(), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    corners = [back.transform(x, y) for x in (canvas.xMinimum(), canvas.xMaximum()) for y in (canvas.yMinimum(), canvas.yMaximum())]
    expected_box = (min(p.x() for p in corners), min(p.y() for p in corners), max(p.x() for p in corners), max(p.y() for p in corners))
    assert max(abs(a - b) for a, b in zip(extent, expected_box)) < 0.01 * max(w, h), (extent, expected_box)
    limit = 7
    direct = http_json("/search?q=farmland&limit={}&bbox={}".format(limit, ",".join(repr(v) for v in extent)))
    expected = len(direct["features"])
    assert expected > 0, "no chips in the extent at all: {}".format(extent)

    clear_messages()
    task = plugin.search("farmland", use_extent=True, limit=limit)
    assert plugin.last_layer is None or plugin.last_layer.name() != "RsGeoSearch: farmland", "the search did not run in the background"
    spins = wait(task)
    assert plugin.last_error is None, plugin.last_error
    layer = plugin.last_layer
    assert isinstance(layer, QgsVectorLayer) and layer.isValid()
    assert QgsProject.instance().mapLayer(layer.id()) is layer, "layer not added to the project"
    assert QgsProject.instance().layerTreeRoot().findGroup("RsGeoSearch").findLayer(layer.id()), "layer not in the RsGeoSearch group"
    assert layer.crs().authid() == "EPSG:4326", layer.crs().authid()
    assert layer.featureCount() == expected == min(limit, direct["numberMatched"]), (layer.featureCount(), expected, direct["numberMatched"])
    names = [f.name() for f in layer.fields()]
    assert names[:len(EXPECTED_FIELDS)] == EXPECTED_FIELDS, names
    types = {f.name(): f.typeName() for f in layer.fields()}
    assert layer.fields().field("score").type() == 6 and layer.fields().field("id").type() == 4, types  # Double, LongLong
    rect = QgsGeometry.fromRect(QgsRectangle(*extent))
    ids = []
    scores = []
    for f in layer.getFeatures():
        g = f.geometry()
        assert not g.isNull() and g.isGeosValid(), "feature {} has no valid geometry".format(f["id"])
        assert g.intersects(rect), "chip {} {} lies outside the extent {}".format(f["id"], g.boundingBox().toString(), extent)
        ids.append(f["id"])
        scores.append(f["score"])
    assert ids == [f["id"] for f in direct["features"]], (ids, [f["id"] for f in direct["features"]])
    assert scores == sorted(scores, reverse=True), scores
    assert any(level == Qgis.Success for _, _, level in messages()), messages()
    state["layer"] = layer
    state["extent"] = extent
    state["days"] = sorted({f["acquired"].toString("yyyy-MM-dd") for f in layer.getFeatures() if not f["acquired"].isNull()})
    return "{} chips, event loop spun {} times while waiting".format(layer.featureCount(), spins)


def _wkt(geometry):
    from rsgeosearch.layers import geojson_to_wkt

    return geojson_to_wkt(geometry)


@check("result layer is styled by score with thumbnails in map tips, form and actions")
def t_style():
    layer = state["layer"]
    renderer = layer.renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer), type(renderer).__name__
    assert renderer.classAttribute() == "score" and len(renderer.ranges()) >= 2, (renderer.classAttribute(), len(renderer.ranges()))
    tip = layer.mapTipTemplate()
    assert URL + '/chips/[% "id" %].png' in tip, tip
    first = next(layer.getFeatures())
    html = QgsExpression.replaceExpressionText(tip, feature_context(layer, first))
    src = "{}/chips/{}.png".format(URL, first["id"])
    assert src in html, html
    with urllib.request.urlopen(src + "?size=256", timeout=60) as r:  # the map tip's image really loads
        body = r.read()
        assert r.headers.get("Content-Type", "").startswith("image/png") and body[:8] == b"\x89PNG\r\n\x1a\n"
    tabs = layer.editFormConfig().tabs()
    assert tabs and any(c.name() == "thumbnail" and c.type() == QgsAttributeEditorElement.AeTypeHtmlElement for c in tabs[0].children()), \
        "no thumbnail element in the form"
    doc = QDomDocument()
    layer.exportNamedStyle(doc)
    assert URL + "/chips/" in doc.toString(), "the form's thumbnail HTML does not point at the server"
    actions = [a.name() for a in layer.actions().actions()]
    assert "Find similar chips" in actions and "Open chip thumbnail" in actions, actions
    # the style really draws: render the layer and find the colours of its classes in the picture
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
    from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings

    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent().buffered(layer.extent().width() * 0.05))
    settings.setOutputSize(QSize(480, 360))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    painted = sum(1 for x in range(0, 480, 4) for y in range(0, 360, 4) if image.pixelColor(x, y) != QColor(255, 255, 255))
    assert painted > 100, "the layer drew {} sampled pixels".format(painted)
    out = os.environ.get("RSGEO_QGIS_ARTIFACTS")
    if out:
        os.makedirs(out, exist_ok=True)
        image.save(os.path.join(out, "search-layer.png"))
    return "{} classes, {} sampled pixels drawn".format(len(renderer.ranges()), painted)


@check("find similar to the selected feature returns a new layer")
def t_similar():
    plugin = state["plugin"]
    layer = state["layer"]
    first = next(layer.getFeatures())
    layer.selectByIds([first.id()])
    iface.setActiveLayer(layer)
    clear_messages()
    task = plugin.find_similar(limit=5)
    wait(task)
    assert plugin.last_error is None, plugin.last_error
    similar = plugin.last_layer
    # One result layer, refilled: not a new layer per search.
    assert similar is layer and similar.isValid() and QgsProject.instance().mapLayer(similar.id()) is similar
    assert similar.name() == "RsGeoSearch: similar to chip {}".format(first["id"]), similar.name()
    slots = [n.layer() for n in QgsProject.instance().layerTreeRoot().findGroup("RsGeoSearch").findLayers()
             if n.layer().customProperty("rsgeosearch/slot") == "results"]
    assert slots == [layer], [l.name() for l in slots]
    direct = http_json("/chips/{}/similar?limit=5".format(first["id"]))
    got = [f["id"] for f in similar.getFeatures()]
    assert got == [f["id"] for f in direct["features"]] and got, (got, direct)
    scores = [f["score"] for f in similar.getFeatures()]
    assert scores == sorted(scores, reverse=True), scores
    state["similar"] = similar
    return "{} chips like chip {}".format(len(got), first["id"])


@check("the layer action 'Find similar chips' runs the plugin")
def t_action():
    plugin = state["plugin"]
    layer = state["layer"]
    feature = list(layer.getFeatures())[-1]
    action = [a for a in layer.actions().actions() if a.name() == "Find similar chips"][0]
    code = QgsExpression.replaceExpressionText(action.command(), feature_context(layer, feature))
    before = plugin.last_layer
    exec(code, {})  # what QGIS's action runner does with a Python action
    task = plugin._tasks[-1]
    wait(task)
    assert plugin.last_error is None, plugin.last_error
    assert plugin.last_layer.name().endswith("chip {}".format(feature["id"])), plugin.last_layer.name()


@check("date range filters results")
def t_dates():
    plugin = state["plugin"]
    acquired = state["days"]
    if not acquired:
        return "no dated chips in the extent; only checked that a far-future range gives nothing"
    import datetime

    day = datetime.date.fromisoformat(acquired[0])
    task = plugin.search("farmland", bbox=state["extent"], start=day, end=day, limit=20)
    wait(task)
    assert plugin.last_error is None, plugin.last_error
    got = {f["acquired"].toString("yyyy-MM-dd") for f in plugin.last_layer.getFeatures()}
    assert got == {acquired[0]}, got
    clear_messages()
    task = plugin.search("farmland", bbox=state["extent"], start=datetime.date(2090, 1, 1), end=datetime.date(2090, 12, 31), limit=20)
    wait(task)
    assert plugin.last_error is None and plugin.last_layer.featureCount() == 0, plugin.last_error
    assert any(level == Qgis.Warning and "no chips" in text for _, text, level in messages()), messages()
    return "only {} when asking for {}".format(sorted(got), acquired[0])


def render(layers, extent, size=(480, 360), crs="EPSG:4326"):
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
    from qgis.core import QgsMapRendererSequentialJob, QgsMapSettings

    settings = QgsMapSettings()
    settings.setLayers(layers)  # first = on top
    settings.setDestinationCrs(QgsCoordinateReferenceSystem(crs))
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage(), settings


def naip_raster():
    folder = os.path.join(SHARED, "rasters", "naip-north-dakota")
    files = sorted(f for f in os.listdir(folder) if f.endswith(".tif")) if os.path.isdir(folder) else []
    assert files, "no NAIP raster in {} (set RSGEO_SHARED_DATA)".format(folder)
    layer = QgsRasterLayer(os.path.join(folder, files[0]), "naip", "gdal")
    assert layer.isValid(), files[0]
    return layer


def farmland_layer(limit):
    """The plugin's result layer for "farmland" in the test's extent."""
    plugin = state["plugin"]
    wait(plugin.search("farmland", bbox=state["extent"], limit=limit))
    assert plugin.last_error is None, plugin.last_error
    return plugin.last_layer


@check("the result layer over a raster: the imagery stays visible through the footprints")
def t_over_raster():
    layer = farmland_layer(20)
    raster = naip_raster()
    extent = layer.extent()
    alone, settings = render([raster], extent)
    over, _ = render([layer, raster], extent)
    # Samples inside footprints, away from their outlines: around each footprint's centre.
    samples = []
    for f in layer.getFeatures():
        c = f.geometry().centroid().asPoint()
        bb = f.geometry().boundingBox()
        for dx in (-0.2, 0.0, 0.2):
            for dy in (-0.2, 0.0, 0.2):
                p = settings.mapToPixel().transform(c.x() + dx * bb.width(), c.y() + dy * bb.height())
                x, y = int(p.x()), int(p.y())
                if 0 <= x < alone.width() and 0 <= y < alone.height():
                    samples.append((alone.pixelColor(x, y), over.pixelColor(x, y)))
    assert len(samples) > 20, len(samples)
    diff = sum(abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) for a, b in samples) / (3.0 * len(samples))

    def spread(colors):
        values = [c.red() + c.green() + c.blue() for c in colors]
        mean = sum(values) / len(values)
        return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5

    texture_alone = spread([a for a, _ in samples])
    texture_over = spread([b for _, b in samples])
    assert texture_alone > 5, "the raster itself is flat here ({:.1f})".format(texture_alone)
    # Fill alpha 40/255 per footprint: even where several dates stack, most of each pixel is the raster.
    assert diff < 255 * 0.3, "the footprints change the raster's pixels by {:.0f} of 255 on average".format(diff)
    assert texture_over > 0.5 * texture_alone, "the raster's detail is hidden: spread {:.1f} → {:.1f}".format(texture_alone, texture_over)
    for r in layer.renderer().ranges() if isinstance(layer.renderer(), QgsGraduatedSymbolRenderer) else []:
        assert r.symbol().symbolLayer(0).fillColor().alpha() < 128, "class {} is opaque".format(r.label())
    if ARTIFACTS:
        os.makedirs(ARTIFACTS, exist_ok=True)
        over.save(os.path.join(ARTIFACTS, "results-over-raster.png"))
        alone.save(os.path.join(ARTIFACTS, "raster-alone.png"))
    return "{} samples: mean change {:.0f}/255, texture {:.0f} → {:.0f}".format(len(samples), diff, texture_alone, texture_over)


@check("the top-ranked feature is drawn last (on top of the footprints it overlaps)")
def t_order():
    from qgis.PyQt.QtGui import QColor

    layer = farmland_layer(100)
    renderer = layer.renderer()
    assert renderer.orderByEnabled(), "no rendering order"
    request = QgsFeatureRequest()
    request.setOrderBy(renderer.orderBy())
    drawn = [f["score"] for f in layer.getFeatures(request)]
    assert drawn == sorted(drawn) and drawn[-1] == max(drawn), drawn
    # Pixels: with opaque fills, the spot of the best chip shows the best chip's colour even where other dates overlap it.
    features = list(layer.getFeatures())
    best = max(features, key=lambda f: f["score"])
    centre = best.geometry().centroid().asPoint()
    under = [f for f in features if f.geometry().contains(QgsGeometry.fromPointXY(centre))]
    original = renderer.clone()
    opaque = renderer.clone()
    if isinstance(opaque, QgsGraduatedSymbolRenderer):
        for i, r in enumerate(opaque.ranges()):
            sym = r.symbol().clone()
            c = sym.symbolLayer(0).fillColor()
            c.setAlpha(255)
            sym.symbolLayer(0).setFillColor(c)
            opaque.updateRangeSymbol(i, sym)
        ranges = opaque.ranges()  # kept alive: a range's symbol belongs to it
        matching = [r for r in ranges if r.lowerValue() <= best["score"] <= r.upperValue()]
        expected = QColor(matching[-1].symbol().symbolLayer(0).fillColor())
    else:
        expected = QColor(opaque.symbol().symbolLayer(0).fillColor())
    layer.setRenderer(opaque)
    try:
        image, settings = render([layer], layer.extent())
    finally:
        layer.setRenderer(original)
    p = settings.mapToPixel().transform(centre.x(), centre.y())
    got = image.pixelColor(int(p.x()), int(p.y()))
    assert (got.red(), got.green(), got.blue()) == (expected.red(), expected.green(), expected.blue()), \
        "the best chip's spot shows {} instead of its colour {} ({} footprints there)".format(got.name(), expected.name(), len(under))
    return "chip {} (score {:.3f}) on top of {} other footprint(s) there".format(best["id"], best["score"], len(under) - 1)


@check("the action 'Add chip image as a layer' adds the chip's own image on its footprint")
def t_chip_image():
    plugin = state["plugin"]
    layer = plugin.last_layer
    feature = next(layer.getFeatures())
    action = [a for a in layer.actions().actions() if a.name() == "Add chip image as a layer"][0]
    exec(QgsExpression.replaceExpressionText(action.command(), feature_context(layer, feature)), {})
    wait(plugin._tasks[-1])
    assert plugin.last_error is None, plugin.last_error
    image = plugin.last_image
    assert isinstance(image, QgsRasterLayer) and image.isValid() and image.crs().authid() == "EPSG:4326"
    day = feature["acquired"].toString("yyyy-MM-dd") if not feature["acquired"].isNull() else "date unknown"
    assert image.name() == "RsGeoSearch: chip {} image ({})".format(feature["id"], day), image.name()
    a, b = image.extent(), feature.geometry().boundingBox()
    tol = 0.02 * max(b.width(), b.height())
    assert all(abs(x - y) < tol for x, y in zip((a.xMinimum(), a.yMinimum(), a.xMaximum(), a.yMaximum()),
                                                (b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()))), (a.toString(), b.toString())
    group = QgsProject.instance().layerTreeRoot().findGroup("RsGeoSearch")
    order = [n.layer() for n in group.findLayers()]
    assert order.index(image) > order.index(layer), "the image is drawn over the results"
    return "{}x{} px on {}".format(image.width(), image.height(), a.toString(5))


@check("the dock: library dates as the default range, a drawn rectangle, more/less like and a minimum score")
def t_dock_workflow():
    plugin = state["plugin"]
    dock = plugin.dock
    dock.url.setText(URL)
    wait(plugin.load_library_dates())
    days = sorted({s["properties"]["acquired"][:10] for s in http_json("/scenes?limit=1000")["features"] if s["properties"].get("acquired")})
    assert dock.date_from.date().toString("yyyy-MM-dd") == days[0] and dock.date_to.date().toString("yyyy-MM-dd") == days[-1], \
        (dock.date_from.date().toString("yyyy-MM-dd"), dock.date_to.date().toString("yyyy-MM-dd"), days[0], days[-1])
    assert days[0] in dock.dates_hint.text(), dock.dates_hint.text()
    # A rectangle drawn with the map tool (its extentChanged signal, in the canvas CRS).
    dock.draw_button.setChecked(True)
    assert iface.canvas.mapTool() is dock.tool, "the rectangle tool is not active"
    box = state["extent"]
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    small = (box[0], box[1], cx, cy)
    rect = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), iface.canvas.mapSettings().destinationCrs(),
                                  QgsProject.instance()).transformBoundingBox(QgsRectangle(*small))
    dock.tool.extentChanged.emit(rect)
    assert not dock.draw_button.isChecked() and dock.drawn_box is not None and not dock.use_extent.isChecked()
    assert max(abs(a - b) for a, b in zip(dock.drawn_box, small)) < 1e-6, (dock.drawn_box, small)
    # Examples and a minimum score: the layer holds what GET /search answers for them.
    first = http_json("/search?q=farmland&limit=3&bbox={}".format(",".join(repr(v) for v in box)))["features"]
    plugin.label_chip(first[0]["id"], True)
    plugin.label_chip(first[1]["id"], False)
    assert dock.like.text() == str(first[0]["id"]) and dock.unlike.text() == str(first[1]["id"]), (dock.like.text(), dock.unlike.text())
    dock.query.setText("farmland")
    dock.use_dates.setChecked(False)
    dock.use_min_score.setChecked(True)
    dock.min_score.setValue(round(first[2]["properties"]["score"] - 0.05, 3))
    dock.limit.setValue(50)
    dock.search_button.click()
    wait(plugin._tasks[-1])
    assert plugin.last_error is None, plugin.last_error
    direct = http_json("/search?q=farmland&like={}&unlike={}&min_score={}&limit=50&bbox={}".format(
        first[0]["id"], first[1]["id"], dock.min_score.value(), ",".join(repr(v) for v in dock.drawn_box)))
    got = [f["id"] for f in plugin.last_layer.getFeatures()]
    assert got == [f["id"] for f in direct["features"]], (got, [f["id"] for f in direct["features"]])
    assert all(f["score"] >= dock.min_score.value() for f in plugin.last_layer.getFeatures())
    dock.use_min_score.setChecked(False)
    dock.like.clear()
    dock.unlike.clear()
    dock.use_extent.setChecked(True)
    return "{} chips with like, unlike and min_score {} in the drawn rectangle".format(len(got), dock.min_score.value())


@check("a usage hint is information, not a red Critical message")
def t_hint():
    plugin = state["plugin"]
    iface.setActiveLayer(None)
    clear_messages()
    assert plugin.find_similar() is None
    levels = [level for _, _, level in messages()]
    assert levels and Qgis.Critical not in levels and Qgis.Info in levels, messages()


@check("a server error (problem+json) shows its detail in the message bar")
def t_problem():
    plugin = state["plugin"]
    req = urllib.request.Request(URL + "/search?q=farmland&model=no-such-model&limit=3")
    try:
        urllib.request.urlopen(req, timeout=60)
        raise AssertionError("the server accepted an unknown model")
    except urllib.error.HTTPError as e:
        assert e.code in (400, 404), e.code
        detail = json.loads(e.read().decode("utf-8"))["detail"]
    clear_messages()
    task = plugin.search("farmland", use_extent=False, limit=3, model="no-such-model")
    wait(task)
    assert plugin.last_error is not None and plugin.last_error.status in (400, 404), plugin.last_error
    assert any(level == Qgis.Critical and detail in text for _, text, level in messages()), (detail, messages())
    return detail


@check("a wrong server URL gives a message, not an exception")
def t_wrong_url():
    plugin = state["plugin"]
    QgsSettings().setValue("rsgeosearch/server_url", "http://127.0.0.1:{}".format(free_port()))
    try:
        clear_messages()
        task = plugin.search("farmland", use_extent=False, limit=3)
        wait(task, timeout=60)
        found = [text for _, text, level in messages() if level == Qgis.Critical]
        assert found and "Could not reach" in found[0], messages()
        clear_messages()
        assert plugin.add_catalogue_layer() is None
        assert any(level == Qgis.Critical and "OGC API" in text and "Could not reach" in text for _, text, level in messages()), messages()
        clear_messages()
        QgsSettings().setValue("rsgeosearch/server_url", "ftp://example.org")
        assert plugin.search("farmland", use_extent=False) is None
        found = [text for _, text, level in messages() if level == Qgis.Critical]
        assert found and "http://" in found[0], messages()
        return found[0]
    finally:
        QgsSettings().setValue("rsgeosearch/server_url", URL)


@check("the API key is kept in the auth database, not in settings or the project")
def t_api_key():
    from rsgeosearch import settings

    manager = QgsApplication.authManager()
    assert manager.setMasterPassword("rsgeosearch-test-master", True), "could not set a master password"
    secret = "test-key-{}".format(os.getpid())
    dock = state["plugin"].dock
    dock.key.setText(secret)
    dock.save_key.click()                      # the dock's Store button
    cfg = settings.authcfg()
    assert cfg and cfg in manager.configIds(), (cfg, messages())
    assert dock.key.text() == "" and cfg in dock.key.placeholderText()
    assert settings.api_key() == secret
    client = state["plugin"].client()
    assert client._api_key == secret
    QgsSettings().sync()
    ini = QgsSettings().fileName()
    with open(ini, encoding="utf-8", errors="replace") as f:
        content = f.read()
    assert secret not in content, "the key is in " + ini
    assert cfg in content, "the auth config id is not in " + ini
    path = os.path.join(tempfile.mkdtemp(), "project.qgs")
    assert QgsProject.instance().write(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # the current results layer: a search whose fields differ (e.g. with relevance) replaces the earlier one
    assert secret not in text and state["plugin"].last_layer.name() in text
    # a search still works with the key sent along
    task = state["plugin"].search("farmland", use_extent=False, limit=2)
    wait(task)
    assert state["plugin"].last_error is None, state["plugin"].last_error
    dock.key.setText("")
    dock.save_key.click()                      # an empty key removes it
    assert settings.authcfg() == "" and cfg not in manager.configIds()
    assert settings.api_key() is None
    return "authcfg " + cfg


@check("the dock's Search button runs a search with its values")
def t_dock():
    plugin = state["plugin"]
    dock = plugin.dock
    dock.url.setText(URL)
    dock.query.setText("river")
    dock.use_extent.setChecked(True)
    dock.use_dates.setChecked(False)
    dock.limit.setValue(3)
    dock.model.setCurrentIndex(1 if dock.model.count() > 1 else 0)
    before = plugin.last_layer
    dock.search_button.click()
    wait(plugin._tasks[-1])
    assert plugin.last_error is None, plugin.last_error
    layer = plugin.last_layer
    assert layer.name() == "RsGeoSearch: river" and 0 < layer.featureCount() <= 3, (layer.name(), layer.featureCount())
    assert QgsSettings().value("rsgeosearch/limit", type=int) == 3


@check("the whole catalogue as a live OGC API - Features (OAPIF) layer")
def t_catalogue():
    plugin = state["plugin"]
    layer = plugin.add_catalogue_layer("chips")
    assert layer is not None and layer.isValid(), messages()
    assert layer.providerType() == "OAPIF" and "/ogc" in layer.source(), layer.source()
    total = http_json("/ogc/collections/chips/items?limit=1")["numberMatched"]
    features = list(layer.getFeatures())
    assert len(features) == total, (len(features), total)
    assert all(f.hasGeometry() and f.geometry().isGeosValid() for f in features)
    return "{} chips through QGIS's OAPIF provider".format(len(features))


@check("changes between dates for the current extent")
def t_changes():
    plugin = state["plugin"]
    scenes = http_json("/scenes?limit=1000")["features"]
    days = sorted({s["properties"]["acquired"][:10] for s in scenes if s["properties"].get("acquired")})
    assert len(days) >= 2, days
    extent = state["extent"]
    direct = http_json("/changes?bbox={}&from={}&to={}&limit=10".format(",".join(repr(v) for v in extent), days[0], days[-1]))
    set_canvas_extent_4326(extent)
    clear_messages()
    task = plugin.changes(days[0], days[-1], limit=10)   # the current map extent
    wait(task)
    assert plugin.last_error is None, plugin.last_error
    layer = plugin.last_layer
    assert layer.customProperty("rsgeosearch/kind") == "changes" and layer.isValid()
    assert any(level == Qgis.Success and "changed place" in text for _, text, level in messages()), messages()
    assert not any("chip" in text for _, text, _ in messages()), messages()
    assert layer.name() == "RsGeoSearch: changes {} → {}".format(days[0], days[-1]), layer.name()
    assert layer.featureCount() == len(direct["features"]) > 0, (layer.featureCount(), len(direct["features"]))
    assert [str(f["id"]) for f in layer.getFeatures()] == [str(f["id"]) for f in direct["features"]]
    names = [f.name() for f in layer.fields()]
    assert "score" in names, names
    rect = QgsGeometry.fromRect(QgsRectangle(*plugin.current_extent()))
    for f in layer.getFeatures():
        assert f.geometry().intersects(rect), "change {} lies outside the extent".format(f["id"])
    scores = [f["score"] for f in layer.getFeatures()]
    assert scores == sorted(scores, reverse=True), scores
    assert layer.mapTipTemplate().count("<img") >= 2, layer.mapTipTemplate()
    if len(set(scores)) > 1:
        assert isinstance(layer.renderer(), QgsGraduatedSymbolRenderer)
    return "{} changes between {} and {}: {}".format(layer.featureCount(), days[0], days[-1], ", ".join(n for n in names if n != "id"))


@check("unload removes the dock, menu and toolbar entries")
def t_unload():
    import qgis.utils

    assert qgis.utils.unloadPlugin("rsgeosearch")
    assert not iface.docks and not iface.menus and not iface.toolbar, (iface.docks, iface.menus, iface.toolbar)


def main():
    for run in CHECKS:
        if run.__name__ != "t_load" and "plugin" not in state:
            results.append((run.__name__, False))
            print("FAIL {}: the plugin did not load".format(run.__name__))
            continue
        run()
    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    QgsProject.instance().clear()
    print("{} passed, {} failed".format(passed, failed), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    code = main()
    app.exitQgis()
    os._exit(code)
