"""The search panel, built in code (no .ui file to keep in sync). It only gathers values and calls the plugin."""

from qgis.PyQt.QtCore import QDate
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qgis.core import Qgis, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsProject
from qgis.gui import QgsDockWidget, QgsMapToolExtent

from . import settings
from .client import MAX_LIMIT, ApiError


class SearchDock(QgsDockWidget):
    def __init__(self, plugin, parent=None):
        super().__init__("RsGeoSearch", parent)
        self.setObjectName("RsGeoSearchDock")
        self.plugin = plugin
        body = QWidget(self)
        layout = QVBoxLayout(body)

        # -- server ------------------------------------------------------------------------------------------
        server = QGroupBox("Server", body)
        form = QFormLayout(server)
        self.url = QLineEdit(settings.server_url(), server)
        self.url.setPlaceholderText("http://127.0.0.1:8080")
        self.url.editingFinished.connect(self._save_url)
        form.addRow("URL", self.url)
        self.key = QLineEdit(server)
        self.key.setEchoMode(QLineEdit.Password)
        self._show_key_state()
        key_row = QHBoxLayout()
        key_row.addWidget(self.key)
        self.save_key = QPushButton("Store", server)
        self.save_key.setToolTip("Store the key in QGIS's encrypted authentication database (not in the project)")
        self.save_key.clicked.connect(self._store_key)
        key_row.addWidget(self.save_key)
        form.addRow("API key", key_row)
        self.connect_button = QPushButton("Connect / load models", server)
        self.connect_button.clicked.connect(self._connect)
        form.addRow(self.connect_button)
        layout.addWidget(server)

        # -- query -------------------------------------------------------------------------------------------
        query = QGroupBox("Search", body)
        form = QFormLayout(query)
        self.query = QLineEdit(query)
        self.query.setPlaceholderText("e.g. flooded farmland, airport, river meander")
        self.query.returnPressed.connect(self._search)
        form.addRow("Text", self.query)
        self.use_extent = QCheckBox("Use current map extent", query)
        self.use_extent.setChecked(True)
        area = QHBoxLayout()
        area.addWidget(self.use_extent)
        self.draw_button = QPushButton("Draw rectangle", query)
        self.draw_button.setCheckable(True)
        self.draw_button.setToolTip("Drag a rectangle on the map: searches then use it instead of the map extent")
        self.draw_button.toggled.connect(self._draw_toggled)
        area.addWidget(self.draw_button)
        form.addRow(area)
        self.area_label = QLabel("", query)
        self.area_label.setWordWrap(True)
        form.addRow(self.area_label)
        self.drawn_box = None
        self.tool = None
        self.use_dates = QCheckBox("Date range", query)
        # Until the server says which dates it has: everything up to today (never a range that finds nothing).
        self.date_from = QDateEdit(QDate(1970, 1, 1), query)
        self.date_to = QDateEdit(QDate.currentDate(), query)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("to", query))
        dates.addWidget(self.date_to)
        form.addRow(self.use_dates, dates)
        self.dates_hint = QLabel("Connect to see which dates the library has", query)
        self.dates_hint.setWordWrap(True)
        form.addRow(self.dates_hint)
        self.like = QLineEdit(query)
        self.like.setPlaceholderText("chip ids, e.g. 12, 40 (layer action 'More like this')")
        form.addRow("More like", self.like)
        self.unlike = QLineEdit(query)
        self.unlike.setPlaceholderText("chip ids (layer action 'Less like this')")
        form.addRow("Less like", self.unlike)
        label_row = QHBoxLayout()
        self.like_selected = QPushButton("+ selected", query)
        self.like_selected.setToolTip("Add the selected features of the active result layer to 'More like'")
        self.like_selected.clicked.connect(lambda: self._add_selected(True))
        self.unlike_selected = QPushButton("− selected", query)
        self.unlike_selected.setToolTip("Add the selected features of the active result layer to 'Less like'")
        self.unlike_selected.clicked.connect(lambda: self._add_selected(False))
        label_row.addWidget(self.like_selected)
        label_row.addWidget(self.unlike_selected)
        form.addRow(label_row)
        self.use_min_score = QCheckBox("Minimum score", query)
        self.min_score = QDoubleSpinBox(query)
        self.min_score.setRange(-1.0, 1.0)
        self.min_score.setDecimals(3)
        self.min_score.setSingleStep(0.01)
        self.min_score.setValue(0.5)
        self.min_score.setToolTip("Only chips scoring at least this (scores are relative: even poor matches score something)")
        form.addRow(self.use_min_score, self.min_score)
        self.limit = QSpinBox(query)
        self.limit.setRange(1, MAX_LIMIT)
        self.limit.setValue(max(1, min(MAX_LIMIT, settings.limit())))
        self.limit.valueChanged.connect(settings.set_limit)
        form.addRow("Limit", self.limit)
        self.model = QComboBox(query)
        self.model.addItem("(server default)", "")
        saved = settings.model()
        if saved:
            self.model.addItem(saved, saved)
            self.model.setCurrentIndex(1)
        self.model.currentIndexChanged.connect(lambda _: settings.set_model(self.model.currentData() or ""))
        form.addRow("Model", self.model)
        self.reuse = QCheckBox("Replace the previous result layer", query)
        self.reuse.setChecked(settings.reuse_layer())
        self.reuse.toggled.connect(settings.set_reuse_layer)
        form.addRow(self.reuse)
        buttons = QHBoxLayout()
        self.search_button = QPushButton("Search", query)
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self._search)
        buttons.addWidget(self.search_button)
        form.addRow(buttons)
        layout.addWidget(query)

        # -- actions on results ------------------------------------------------------------------------------
        more = QGroupBox("From results", body)
        column = QVBoxLayout(more)
        self.similar_button = QPushButton("Find similar to selected feature", more)
        self.similar_button.clicked.connect(self._similar)
        column.addWidget(self.similar_button)
        self.changes_button = QPushButton("Changes between dates (current extent)", more)
        self.changes_button.setToolTip("Between the dates of the range above (unticked: the first and last date there); "
                                       "the text, if any, says what the place became")
        self.changes_button.clicked.connect(self._changes)
        column.addWidget(self.changes_button)
        self.catalogue_button = QPushButton("Add whole catalogue (OGC API layer)", more)
        self.catalogue_button.setToolTip("All chips as a live layer through QGIS's OGC API - Features provider")
        self.catalogue_button.clicked.connect(self._catalogue)
        column.addWidget(self.catalogue_button)
        layout.addWidget(more)
        layout.addStretch(1)
        self.setWidget(body)

    # -- values ------------------------------------------------------------------------------------------------
    def _ids(self, edit):
        out = []
        for part in edit.text().replace(";", ",").replace(" ", ",").split(","):
            part = part.strip()
            if part:
                try:
                    out.append(int(part))
                except ValueError:
                    raise ApiError("'{}' in '{}' is not a chip id".format(part, edit.text()))
        return out

    def add_example(self, chip_id, like=True):
        target, other = (self.like, self.unlike) if like else (self.unlike, self.like)
        ids = [i for i in self._ids(target) if i != chip_id] + [chip_id]
        target.setText(", ".join(str(i) for i in ids))
        other.setText(", ".join(str(i) for i in self._ids(other) if i != chip_id))

    def _add_selected(self, like):
        ids = self.plugin.selected_chip_ids()
        if not ids:
            self.plugin.message("Select chips in an RsGeoSearch result layer first", Qgis.Info, 5)
        for i in ids:
            self.add_example(i, like)

    def set_library_dates(self, days):
        """The library's first and last acquisition dates become the date range's defaults, with a hint."""
        if not days:
            self.dates_hint.setText("The library has no dated imagery")
            return
        first, last = QDate.fromString(days[0], "yyyy-MM-dd"), QDate.fromString(days[-1], "yyyy-MM-dd")
        self.date_from.setDate(first)
        self.date_to.setDate(last)
        shown = ", ".join(days) if len(days) <= 6 else "{}, {}, … {}".format(days[0], days[1], days[-1])
        self.dates_hint.setText("Library dates ({}): {}".format(len(days), shown))

    # -- the rectangle tool ----------------------------------------------------------------------------------
    def _draw_toggled(self, on):
        canvas = self.plugin.iface.mapCanvas()
        if on:
            if self.tool is None:
                self.tool = QgsMapToolExtent(canvas)
                self.tool.extentChanged.connect(self.set_drawn_extent)
            canvas.setMapTool(self.tool)
        elif self.tool is not None and canvas.mapTool() is self.tool:
            canvas.unsetMapTool(self.tool)

    def set_drawn_extent(self, rect):
        """A rectangle drawn on the canvas (canvas CRS) becomes the search area, in EPSG:4326."""
        canvas = self.plugin.iface.mapCanvas()
        source = canvas.mapSettings().destinationCrs()
        target = QgsCoordinateReferenceSystem("EPSG:4326")
        if source.isValid() and source != target:
            rect = QgsCoordinateTransform(source, target, QgsProject.instance()).transformBoundingBox(rect)
        if rect.isEmpty():
            return
        self.drawn_box = (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())
        self.use_extent.setChecked(False)
        self.area_label.setText("Area: drawn rectangle {:.5f}, {:.5f}, {:.5f}, {:.5f} (tick 'Use current map extent' to drop it)".format(*self.drawn_box))
        self.draw_button.setChecked(False)

    def release_tool(self):
        if self.tool is not None:
            canvas = self.plugin.iface.mapCanvas()
            if canvas.mapTool() is self.tool:
                canvas.unsetMapTool(self.tool)
            self.tool = None

    def _area(self):
        """(use_extent, bbox): the map extent, the drawn rectangle, or anywhere."""
        if self.use_extent.isChecked():
            self.drawn_box = None
            self.area_label.setText("")
            return True, None
        return False, self.drawn_box

    def _dates(self):
        if not self.use_dates.isChecked():
            return None, None
        return self.date_from.date().toPyDate(), self.date_to.date().toPyDate()

    def set_models(self, models):
        current = self.model.currentData() or settings.model()
        self.model.blockSignals(True)
        self.model.clear()
        self.model.addItem("(server default)", "")
        for m in models:
            label = m["name"] + (" (default)" if m.get("is_default") else "")
            self.model.addItem(label, m["name"])
        index = self.model.findData(current)
        self.model.setCurrentIndex(index if index >= 0 else 0)
        self.model.blockSignals(False)

    def _show_key_state(self):
        self.key.clear()
        self.key.setPlaceholderText("stored in the QGIS auth database ({})".format(settings.authcfg())
                                    if settings.authcfg() else "optional; needed for write operations")

    # -- slots -------------------------------------------------------------------------------------------------
    def _save_url(self):
        settings.set_server_url(self.url.text())

    def _store_key(self):
        text = self.key.text().strip()
        try:
            if text:
                settings.set_authcfg(settings.store_api_key(text, settings.authcfg() or None))
                self.plugin.message("API key stored in the QGIS authentication database", Qgis.Success, 4)
            else:
                settings.remove_api_key()
                self.plugin.message("API key removed", Qgis.Info, 4)
        except settings.AuthError as e:
            self.plugin.show_error(ApiError(str(e)))
        self._show_key_state()

    def _connect(self):
        self._save_url()
        self.plugin.refresh_models(lambda models: self.plugin.message(
            "Connected: {} model{}".format(len(models), "" if len(models) == 1 else "s"), Qgis.Success, 3))
        self.plugin.load_library_dates()

    def _search(self):
        self._save_url()
        start, end = self._dates()
        use_extent, box = self._area()
        try:
            like, unlike = self._ids(self.like), self._ids(self.unlike)
        except ApiError as e:
            self.plugin.show_error(e)
            return
        self.plugin.search(self.query.text(), use_extent=use_extent, bbox=box, start=start, end=end,
                           limit=self.limit.value(), model=self.model.currentData() or None,
                           min_score=self.min_score.value() if self.use_min_score.isChecked() else None,
                           like=like, unlike=unlike)

    def _similar(self):
        self._save_url()
        start, end = self._dates()
        self.plugin.find_similar(limit=self.limit.value(), model=self.model.currentData() or None,
                                 use_extent=self.use_extent.isChecked(), start=start, end=end)

    def _catalogue(self):
        self._save_url()
        self.plugin.add_catalogue_layer("chips")

    def _changes(self):
        self._save_url()
        start, end = self._dates()   # no date range: the first and the last date the server has there
        self.plugin.changes(start, end, q=self.query.text(), limit=self.limit.value(), model=self.model.currentData() or None)
