"""The plugin object QGIS creates (classFactory): menu entry, toolbar button, dock, and the actions behind them.

Every action is a method here that takes plain values (text, dates, a chip id), so it can be driven from the
dock, from a layer action ("Find similar chips") or from a test with a stand-in ``iface``. Requests run in a
QgsTask; results become a layer in the "RsGeoSearch" group; failures go to the message bar.
"""

import os
import tempfile

from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsMessageLog,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)

from . import layers, settings
from .client import ApiError, Cancelled, Client, changes_url, search_url, similar_url
from .tasks import ApiTask

TITLE = "RsGeoSearch"
GROUP = "RsGeoSearch"
WGS84 = "EPSG:4326"


class RsGeoSearchPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.dock = None
        self.action = None
        self.models = []
        self.last_layer = None
        self.last_error = None
        self.library_days = []
        self._tasks = []
        self._images = None  # a temporary folder for chip images added as layers

    # -- QGIS plugin interface -------------------------------------------------------------------------------
    def initGui(self):
        from .dock import SearchDock  # widgets only when there is a GUI

        icon = QIcon(os.path.join(os.path.dirname(__file__), "icon.svg"))
        self.action = QAction(icon, "RsGeoSearch", self.iface.mainWindow())
        self.action.setCheckable(True)
        self.action.setToolTip("Search satellite imagery by text (RsGeoSearch)")
        self.dock = SearchDock(self, self.iface.mainWindow())
        self.dock.setVisible(False)
        self.action.toggled.connect(self.dock.setUserVisible if hasattr(self.dock, "setUserVisible") else self.dock.setVisible)
        self.dock.visibilityChanged.connect(self.action.setChecked)
        self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.iface.addPluginToWebMenu(TITLE, self.action)
        self.iface.addWebToolBarIcon(self.action)

    def unload(self):
        for task in list(self._tasks):
            if not task.done:
                task.cancel()
        self._tasks.clear()
        if self.action is not None:
            self.iface.removePluginWebMenu(TITLE, self.action)
            self.iface.removeWebToolBarIcon(self.action)
            self.action = None
        if self.dock is not None:
            self.dock.release_tool()
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None

    # -- helpers ---------------------------------------------------------------------------------------------
    def client(self):
        """A Client for the configured server; the API key is read from the auth database here, on the main thread."""
        try:
            key = settings.api_key()
        except settings.AuthError as e:
            # Reading needs no key; go on without it and say so (the master password may not be entered yet).
            self.message("{}; sending requests without the API key".format(e), Qgis.Warning, 8)
            key = None
        return Client(settings.server_url(), key)

    def current_extent(self):
        """The map canvas extent as (minx, miny, maxx, maxy) in EPSG:4326 degrees, clamped to the world."""
        canvas = self.iface.mapCanvas()
        extent = canvas.extent()
        source = canvas.mapSettings().destinationCrs()
        target = QgsCoordinateReferenceSystem(WGS84)
        if not source.isValid():
            source = target
        try:
            rect = QgsCoordinateTransform(source, target, QgsProject.instance()).transformBoundingBox(extent)
        except QgsCsException as e:
            raise ApiError("The map extent cannot be expressed in EPSG:4326: {}".format(e))
        if rect.isEmpty() or rect.isNull():
            raise ApiError("The map extent is empty; zoom to an area first")
        return (max(-180.0, rect.xMinimum()), max(-90.0, rect.yMinimum()),
                min(180.0, rect.xMaximum()), min(90.0, rect.yMaximum()))

    def message(self, text, level=Qgis.Info, duration=5):
        bar = self.iface.messageBar()
        if bar is not None:
            bar.pushMessage(TITLE, text, level, duration)
        QgsMessageLog.logMessage(text, TITLE, level)

    def show_error(self, error):
        self.last_error = error
        if isinstance(error, Cancelled):
            self.message(str(error), Qgis.Warning, 5)
            return
        text = str(error)
        if getattr(error, "status", None):
            text = "{} (HTTP {})".format(text, error.status)
        self.message(text, Qgis.Critical, 15)

    def _start(self, description, make_work, on_success):
        """Builds the work on the main thread (settings, key, URL validation), then runs it as a task.
        Returns the task, or None when the request could not even be formed (the message bar says why)."""
        self.last_error = None
        try:
            work = make_work(self.client())
        except ApiError as e:
            self.show_error(e)
            return None

        def done(value):
            on_success(value)

        task = ApiTask(description, work, done, self.show_error)
        task.taskCompleted.connect(lambda: self._forget(task))
        task.taskTerminated.connect(lambda: self._forget(task))
        self._tasks.append(task)
        QgsApplication.taskManager().addTask(task)
        return task

    def _forget(self, task):
        if task in self._tasks and task.done:
            self._tasks.remove(task)

    def _group(self):
        root = QgsProject.instance().layerTreeRoot()
        return root.findGroup(GROUP) or root.insertGroup(0, GROUP)

    def _reusable(self, slot):
        """The result layer of ``slot`` ("results" or "changes") that a new answer replaces, if any."""
        if not settings.reuse_layer():
            return None
        for node in self._group().findLayers():
            layer = node.layer()
            if isinstance(layer, QgsVectorLayer) and layer.customProperty(layers.PROPERTY_PREFIX + "slot") == slot:
                return layer
        return None

    def add_result_layer(self, collection, name, kind, description):
        """Shows an answer: in the layer of its slot (searches and similar chips share one, changes have their own),
        refilled in place so that its position and visibility stay; a new layer only the first time (or when the
        setting "replace" is off)."""
        server = settings.server_url().rstrip("/")
        layer = layers.make_layer(collection, name, server, kind, description)
        slot = "changes" if kind == "changes" else "results"
        layer.setCustomProperty(layers.PROPERTY_PREFIX + "slot", slot)
        old = self._reusable(slot)
        if old is not None and [f.name() for f in old.fields()] == [f.name() for f in layer.fields()] and \
                old.geometryType() == layer.geometryType():
            provider = old.dataProvider()
            provider.truncate()
            provider.addFeatures(list(layer.getFeatures()))
            old.updateExtents()
            for key in layer.customPropertyKeys():
                old.setCustomProperty(key, layer.customProperty(key))
            old.setName(name)
            old.setAbstract(layer.abstract())
            layers.style_by_score(old)
            layers.configure_popups(old, server)
            old.triggerRepaint()
            layer = old
        else:
            project = QgsProject.instance()
            project.addMapLayer(layer, False)
            group = self._group()
            if old is not None:  # another schema: the new layer takes the old one's place
                index = group.children().index(group.findLayer(old.id()))
                group.insertLayer(index, layer)
                project.removeMapLayer(old.id())
            else:
                group.insertLayer(0, layer)
        self.last_layer = layer
        matched = collection.get("numberMatched")
        count = layer.featureCount()
        what = ("changed place", "changed places") if kind == "changes" else ("chip", "chips")
        if count == 0:
            hint = ""
            if kind != "changes" and self.library_days:
                hint = "; the library has imagery from {} to {}".format(self.library_days[0], self.library_days[-1])
            self.message("{}: no {} found{}".format(name, what[1], hint), Qgis.Warning, 8)
        else:
            self.message("{}: {} {}{}".format(
                name, count, what[0] if count == 1 else what[1],
                " of {} matching".format(matched) if isinstance(matched, int) and matched > count else ""), Qgis.Success, 4)
        return layer

    # -- actions ---------------------------------------------------------------------------------------------
    def search(self, q, use_extent=True, bbox=None, start=None, end=None, limit=None, model=None, min_score=None,
               like=None, unlike=None):
        """Text search (inside the current map extent unless ``use_extent`` is False or ``bbox`` is given), with
        labelled examples (``like`` / ``unlike``: chip ids) and a minimum score."""
        limit = int(limit or settings.limit())
        text = (q or "").strip()

        def make(client):
            box = bbox if bbox is not None else (self.current_extent() if use_extent else None)
            params = dict(q=text, bbox=box, start=start, end=end, limit=limit, model=model or None, min_score=min_score,
                          like=list(like or []), unlike=list(unlike or []))
            search_url(client.base_url, **params)  # validate now: bad input reaches the message bar at once
            return lambda feedback: client.search(feedback, **params)

        name = "{}: {}".format(TITLE, text) if text else "{}: chips".format(TITLE)
        if like or unlike:
            name += " ({}{}{})".format("+" + ",".join(str(i) for i in like or []) if like else "",
                                       " " if like and unlike else "", "−" + ",".join(str(i) for i in unlike or []) if unlike else "")
        description = "search q={!r} limit={}{}{}".format(text, limit, " model={}".format(model) if model else "",
                                                         " min_score={}".format(min_score) if min_score is not None else "")
        return self._start("RsGeoSearch " + (text or "listing"), make,
                           lambda doc: self.add_result_layer(doc, name, "search", description))

    def selected_chip_ids(self, layer=None):
        layer = layer or self.iface.activeLayer()
        if not isinstance(layer, QgsVectorLayer) or layer.fields().indexOf("id") < 0:
            return []
        ids = []
        for f in layer.selectedFeatures():
            try:
                ids.append(int(f["id"]))
            except (TypeError, ValueError):
                continue
        return ids

    def find_similar(self, chip_id=None, limit=None, model=None, use_extent=False, start=None, end=None):
        """Chips that look like ``chip_id`` (default: the selected feature of the active layer) as a new layer."""
        if chip_id is None:
            ids = self.selected_chip_ids()
            if not ids:
                self.message("Select a chip in an RsGeoSearch result layer first (a feature with an 'id' field)", Qgis.Info, 6)
                return None
            chip_id = ids[0]
        limit = int(limit or settings.limit())

        def make(client):
            box = self.current_extent() if use_extent else None
            params = dict(bbox=box, start=start, end=end, limit=limit, model=model or None)
            similar_url(client.base_url, chip_id, **params)
            return lambda feedback: client.similar(chip_id, feedback, **params)

        name = "{}: similar to chip {}".format(TITLE, chip_id)
        return self._start("RsGeoSearch similar to chip {}".format(chip_id), make,
                           lambda doc: self.add_result_layer(doc, name, "similar", "similar to chip {}".format(chip_id)))

    def changes(self, date_from, date_to, q=None, bbox=None, limit=None, model=None, from_q=None, to_q=None):
        """What changed inside the current map extent between two dates (GET /changes) as a new layer.
        ``q``: what the place became; or ``from_q``/``to_q``: what it was and what it became."""

        def make(client):
            box = bbox if bbox is not None else self.current_extent()
            params = dict(q=q, limit=limit, model=model or None, from_q=from_q, to_q=to_q)
            changes_url(client.base_url, box, date_from, date_to, **params)
            return lambda feedback: client.changes(box, date_from, date_to, feedback, **params)

        name = "{}: changes {} → {}".format(TITLE, date_from or "first date", date_to or "last date")
        return self._start("RsGeoSearch changes", make,
                           lambda doc: self.add_result_layer(doc, name, "changes", "changes from {} to {}".format(date_from, date_to)))

    def add_chip_image(self, chip_id):
        """The chip's own image (its PNG, placed on its footprint's box in EPSG:4326) as a raster layer under the results."""

        def make(client):
            return lambda feedback: client.chip_image(chip_id, feedback)

        def loaded(answer):
            feature, png = answer
            box = feature.get("bbox")
            if not box or len(box) != 4:
                self.show_error(ApiError("chip {} has no footprint".format(chip_id)))
                return
            if self._images is None:
                self._images = tempfile.TemporaryDirectory(prefix="rsgeosearch-")
            path = os.path.join(self._images.name, "chip-{}.png".format(int(chip_id)))
            with open(path, "wb") as f:
                f.write(png)
            from qgis.PyQt.QtGui import QImage

            image = QImage.fromData(png)
            if image.isNull():
                self.show_error(ApiError("the image of chip {} is not a PNG".format(chip_id)))
                return
            w, h = image.width(), image.height()
            sx, sy = (box[2] - box[0]) / w, (box[3] - box[1]) / h
            with open(path[:-4] + ".pgw", "w") as f:  # world file: pixel size and the centre of the top-left pixel
                f.write("\n".join(repr(v) for v in (sx, 0.0, 0.0, -sy, box[0] + sx / 2, box[3] - sy / 2)) + "\n")
            acquired = ((feature.get("properties") or {}).get("acquired") or "")[:10] or "date unknown"
            layer = QgsRasterLayer(path, "{}: chip {} image ({})".format(TITLE, chip_id, acquired), "gdal")
            if not layer.isValid():
                self.show_error(ApiError("QGIS could not open the image of chip {}".format(chip_id)))
                return
            layer.setCrs(QgsCoordinateReferenceSystem(WGS84))
            layer.setCustomProperty(layers.PROPERTY_PREFIX + "chip", int(chip_id))
            QgsProject.instance().addMapLayer(layer, False)
            self._group().addLayer(layer)  # last in the group: under the result footprints
            self.last_image = layer
            self.message("chip {} image ({}) added".format(chip_id, acquired), Qgis.Success, 3)

        return self._start("RsGeoSearch chip {} image".format(chip_id), make, loaded)

    def label_chip(self, chip_id, like=True):
        """Adds a chip to the dock's examples ("more like" or "less like"); the next search uses them."""
        if self.dock is not None:
            self.dock.add_example(int(chip_id), like)
        self.message("chip {} added to '{}'".format(chip_id, "more like" if like else "less like"), Qgis.Info, 3)

    def load_library_dates(self, on_done=None):
        """The server's acquisition dates (for the dock's date range and the 'nothing found' hint)."""
        return self._load_into("RsGeoSearch dates", lambda client, feedback: client.library_dates(feedback),
                               "library_days", "set_library_dates", on_done)

    def add_catalogue_layer(self, collection="chips"):
        """The whole catalogue as a live layer through QGIS's own OGC API - Features provider (no plugin needed
        to use it later: the project stores only the URL). Returns the layer, or None after a message."""
        try:
            client = Client(settings.server_url(), timeout_ms=15000)
            base = client.base_url
            # A quick look first: the reason for a failure comes from here (the provider's own error object
            # must not be touched on an invalid OAPIF layer: QGIS 3.22 crashes in QgsVectorLayer.error()).
            client.get_json("{}/ogc/collections/{}".format(base, collection))
        except ApiError as e:
            self.show_error(ApiError("Could not open the OGC API collection '{}': {}".format(collection, e),
                                     status=e.status, url=e.url))
            return None
        uri = "url='{}/ogc' typename='{}'".format(base, collection)
        layer = QgsVectorLayer(uri, "{} {} (OGC API)".format(TITLE, collection), "OAPIF")
        if not layer.isValid():
            self.show_error(ApiError("QGIS's OGC API - Features provider could not open {}/ogc (collection '{}')".format(base, collection)))
            return None
        if collection == "chips" and layer.fields().indexOf("id") >= 0:
            layers.configure_popups(layer, base)
        project = QgsProject.instance()
        project.addMapLayer(layer, False)
        root = project.layerTreeRoot()
        group = root.findGroup(GROUP) or root.insertGroup(0, GROUP)
        group.addLayer(layer)
        self.last_layer = layer
        return layer

    def refresh_models(self, on_done=None):
        """Loads GET /models into ``self.models`` (and the dock's model list)."""
        return self._load_into("RsGeoSearch models", lambda client, feedback: client.models(feedback),
                               "models", "set_models", on_done)

    def _load_into(self, description, call, attribute, dock_method, on_done=None):
        """Runs ``call(client, feedback)`` as a task; its answer goes to ``self.<attribute>``, the dock's
        ``<dock_method>`` and ``on_done``."""

        def make(client):
            return lambda feedback: call(client, feedback)

        def loaded(value):
            setattr(self, attribute, value)
            if self.dock is not None:
                getattr(self.dock, dock_method)(value)
            if on_done is not None:
                on_done(value)

        return self._start(description, make, loaded)
