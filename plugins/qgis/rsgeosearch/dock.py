"""The search panel, built in code (no .ui file to keep in sync). It only gathers values and calls the plugin."""

from qgis.PyQt.QtCore import QDate
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
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

from qgis.core import Qgis
from qgis.gui import QgsDockWidget

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
        form.addRow(self.use_extent)
        self.use_dates = QCheckBox("Date range", query)
        self.date_from = QDateEdit(QDate.currentDate().addYears(-5), query)
        self.date_to = QDateEdit(QDate.currentDate(), query)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("to", query))
        dates.addWidget(self.date_to)
        form.addRow(self.use_dates, dates)
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

    def _search(self):
        self._save_url()
        start, end = self._dates()
        self.plugin.search(self.query.text(), use_extent=self.use_extent.isChecked(), start=start, end=end,
                           limit=self.limit.value(), model=self.model.currentData() or None)

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
