"""Turns the server's GeoJSON FeatureCollections into styled QGIS memory layers.

Results are loaded into memory layers (not the OAPIF provider) on purpose: a ranked search is a snapshot
of "the best N chips for this text here", and the OAPIF provider in QGIS 3.22 re-requests the server per
map extent as the user pans (changing what "best N" means), pages through every chip the filter matches,
and has no place for the non-standard ``q``/``model`` parameters in its URI. A memory layer keeps exactly
the ranked result with typed fields (score as a double, acquired as a datetime), is styled once, and can be
saved with "Make permanent". The OGC API itself stays available to add as a plain OAPIF layer.
"""

import json

from qgis.PyQt.QtCore import QDateTime, QVariant, Qt
from qgis.PyQt.QtGui import QColor

from qgis.core import (
    QgsAction,
    QgsAttributeEditorContainer,
    QgsAttributeEditorField,
    QgsAttributeEditorHtmlElement,
    QgsEditFormConfig,
    QgsFeature,
    QgsFeatureRequest,
    QgsField,
    QgsFields,
    QgsFillSymbol,
    QgsGeometry,
    QgsGradientColorRamp,
    QgsGraduatedSymbolRenderer,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)

try:  # QGIS >= 3.10
    from qgis.core import QgsClassificationJenks, QgsClassificationEqualInterval
except ImportError:  # pragma: no cover
    QgsClassificationJenks = QgsClassificationEqualInterval = None

PROPERTY_PREFIX = "rsgeosearch/"

# The chip properties of FeatureJson.WriteChip, in the server's order, and their QGIS types.
CHIP_FIELDS = [
    ("id", QVariant.LongLong),
    ("score", QVariant.Double),
    ("acquired", QVariant.DateTime),
    ("scene_id", QVariant.LongLong),
    ("scene", QVariant.String),
    ("level", QVariant.Int),
    ("col", QVariant.Int),
    ("row", QVariant.Int),
    ("window", QVariant.String),
    ("nodata_fraction", QVariant.Double),
    ("thumbnail", QVariant.String),
]
_CHIP_NAMES = {name for name, _ in CHIP_FIELDS}


def _infer_type(values):
    kinds = set()
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            kinds.add("bool")
        elif isinstance(v, int):
            kinds.add("int")
        elif isinstance(v, float):
            kinds.add("float")
        else:
            kinds.add("str")
    if kinds == {"bool"}:
        return QVariant.Bool
    if kinds == {"int"}:
        return QVariant.LongLong
    if kinds and kinds <= {"int", "float"}:
        return QVariant.Double
    return QVariant.String


def _looks_like_datetime(values):
    present = [v for v in values if v is not None]
    if not present or not all(isinstance(v, str) and len(v) >= 10 and v[4:5] == "-" and v[7:8] == "-" for v in present):
        return False
    return all(QDateTime.fromString(v, Qt.ISODate).isValid() for v in present)


def fields_for(features, chip_schema=True):
    """The fields of a layer for ``features``.

    ``chip_schema``: the chip fields in the server's order (a stable schema even for an empty result), then any
    other property. Otherwise (e.g. /changes): ``id`` and the properties the features carry. Types are
    inferred; ISO 8601 strings become datetimes, nested values JSON text."""
    fields = QgsFields()
    known = dict(CHIP_FIELDS)
    if chip_schema:
        for name, kind in CHIP_FIELDS:
            fields.append(QgsField(name, kind))
    else:
        fields.append(QgsField("id", QVariant.LongLong if all(
            isinstance(f.get("id"), int) for f in features) else QVariant.String))
    extra = []
    for f in features:
        for key in (f.get("properties") or {}):
            if fields.indexOf(key) < 0 and key not in extra:
                extra.append(key)
    for key in extra:
        values = [(f.get("properties") or {}).get(key) for f in features]
        if any(isinstance(v, (dict, list)) for v in values):
            kind = QVariant.String
        elif key in known:
            kind = known[key]
        elif _looks_like_datetime(values):
            kind = QVariant.DateTime
        else:
            kind = _infer_type(values)
        fields.append(QgsField(key, kind))
    return fields


def _value(kind, v):
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    if kind == QVariant.DateTime:
        dt = QDateTime.fromString(str(v), Qt.ISODate)
        return dt if dt.isValid() else None
    if kind in (QVariant.LongLong, QVariant.Int):
        try:
            return int(v)
        except (TypeError, ValueError):
            return None
    if kind == QVariant.Double:
        try:
            return float(v)
        except (TypeError, ValueError):
            return None
    if kind == QVariant.Bool:
        return bool(v)
    return str(v)


def _ring(coords):
    return "(" + ", ".join("{!r} {!r}".format(float(c[0]), float(c[1])) for c in coords) + ")"


def _polygon(rings):
    return "(" + ", ".join(_ring(r) for r in rings) + ")"


def geojson_to_wkt(geometry):
    """WKT for a GeoJSON geometry (QgsJsonUtils.geometryFromGeoJson only exists from QGIS 3.36)."""
    kind = geometry.get("type")
    c = geometry.get("coordinates")
    if kind == "Point":
        return "POINT ({!r} {!r})".format(float(c[0]), float(c[1]))
    if kind == "MultiPoint":
        return "MULTIPOINT (" + ", ".join("({!r} {!r})".format(float(p[0]), float(p[1])) for p in c) + ")"
    if kind == "LineString":
        return "LINESTRING " + _ring(c)
    if kind == "MultiLineString":
        return "MULTILINESTRING (" + ", ".join(_ring(l) for l in c) + ")"
    if kind == "Polygon":
        return "POLYGON " + _polygon(c)
    if kind == "MultiPolygon":
        return "MULTIPOLYGON (" + ", ".join(_polygon(p) for p in c) + ")"
    raise ValueError("unsupported GeoJSON geometry type {!r}".format(kind))


def geometry_from_geojson(geometry):
    if not geometry:
        return QgsGeometry()
    try:
        return QgsGeometry.fromWkt(geojson_to_wkt(geometry))
    except (ValueError, TypeError, IndexError, KeyError):
        return QgsGeometry()


def layer_from_collection(collection, name, server_url=None, kind="search", description=None):
    """A memory layer (EPSG:4326) holding every feature of a GeoJSON FeatureCollection; not yet added to a project."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValueError("the server did not return a GeoJSON FeatureCollection")
    features = [f for f in collection.get("features") or [] if isinstance(f, dict)]
    geometry_type = "Polygon"
    for f in features:
        g = f.get("geometry") or {}
        if g.get("type") in ("MultiPolygon", "Point", "MultiPoint", "LineString", "MultiLineString"):
            geometry_type = "MultiPolygon" if g["type"] == "MultiPolygon" else g["type"]
            break
    layer = QgsVectorLayer("{}?crs=EPSG:4326".format(geometry_type), name, "memory")
    fields = fields_for(features, chip_schema=(kind != "changes"))
    provider = layer.dataProvider()
    provider.addAttributes(fields.toList())
    layer.updateFields()
    kinds = [fields.at(i).type() for i in range(fields.count())]
    out = []
    for f in features:
        props = dict(f.get("properties") or {})
        if "id" not in props or props.get("id") is None:
            props["id"] = f.get("id")
        feature = QgsFeature(layer.fields())
        feature.setAttributes([_value(kinds[i], props.get(fields.at(i).name())) for i in range(fields.count())])
        geom = geometry_from_geojson(f.get("geometry"))
        if geom is not None and not geom.isNull():
            if geometry_type == "MultiPolygon":
                geom.convertToMultiType()
            feature.setGeometry(geom)
        out.append(feature)
    provider.addFeatures(out)
    layer.updateExtents()

    layer.setCustomProperty(PROPERTY_PREFIX + "kind", kind)
    if server_url:
        layer.setCustomProperty(PROPERTY_PREFIX + "server", server_url)
    if description:
        layer.setCustomProperty(PROPERTY_PREFIX + "query", description)
    for key in ("numberMatched", "numberReturned", "model"):
        if key in collection:
            layer.setCustomProperty(PROPERTY_PREFIX + key, str(collection[key]))
    if description:
        layer.setAbstract(description)
    return layer


def score_field(layer):
    """The numeric field to style by: score, else the first numeric change/distance-like field."""
    names = [f.name() for f in layer.fields()]
    for candidate in ("score", "change", "change_score", "distance", "dissimilarity"):
        if candidate in names:
            return candidate
    for f in layer.fields():
        if "score" in f.name() and f.isNumeric():
            return f.name()
    return None


FILL_ALPHA = 40  # of 255: the imagery under a footprint stays visible, even under several stacked dates


def _draw_best_last(renderer, field):
    """Features drawn in ascending ``field`` order: the best-ranked (highest) last, on top of overlapping footprints."""
    if field and hasattr(renderer, "setOrderBy"):
        renderer.setOrderBy(QgsFeatureRequest.OrderBy([QgsFeatureRequest.OrderByClause(field, True, False)]))
        renderer.setOrderByEnabled(True)


def _translucent(symbol):
    """The symbol with its fill at FILL_ALPHA (outlines stay opaque)."""
    symbol = symbol.clone()
    for i in range(symbol.symbolLayerCount()):
        sl = symbol.symbolLayer(i)
        if hasattr(sl, "fillColor") and hasattr(sl, "setFillColor"):
            c = QColor(sl.fillColor())
            c.setAlpha(FILL_ALPHA)
            sl.setFillColor(c)
    return symbol


def style_by_score(layer, field=None, classes=5):
    """A graduated renderer (yellow → red, Jenks natural breaks) on ``field`` with translucent fills, drawing the
    best-scored features last (on top); one symbol when all values are null or equal."""
    field = field or score_field(layer)
    symbol = QgsFillSymbol.createSimple({
        "color": "255,200,0,{}".format(FILL_ALPHA), "outline_color": "40,40,40,220", "outline_width": "0.3",
    }) if layer.geometryType() == 2 else None
    idx = layer.fields().indexOf(field) if field else -1
    values = [f[field] for f in layer.getFeatures()] if idx >= 0 else []
    values = [v for v in values if v is not None and v == v and not (hasattr(v, "isNull") and v.isNull())]
    if idx < 0 or len(set(values)) < 2:
        if symbol is not None:
            single = QgsSingleSymbolRenderer(symbol)
            _draw_best_last(single, field if idx >= 0 else None)
            layer.setRenderer(single)
        return layer.renderer()
    renderer = QgsGraduatedSymbolRenderer(field)
    if symbol is not None:
        renderer.setSourceSymbol(symbol)
    if QgsClassificationJenks is not None:
        method = QgsClassificationJenks() if len(values) >= classes else QgsClassificationEqualInterval()
        method.setLabelFormat("%1 – %2")
        method.setLabelPrecision(3)
        renderer.setClassificationMethod(method)
    renderer.updateClasses(layer, min(classes, len(set(values))))
    ramp = QgsGradientColorRamp(QColor(255, 255, 178), QColor(189, 0, 38))
    renderer.updateColorRamp(ramp)  # gives every class an opaque colour: make the fills translucent again
    if symbol is not None:
        for i, r in enumerate(renderer.ranges()):
            renderer.updateRangeSymbol(i, _translucent(r.symbol()))
    _draw_best_last(renderer, field)
    layer.setRenderer(renderer)
    return renderer


def map_tip_html(server_url):
    base = (server_url or "").rstrip("/")
    return (
        '<div style="font-family:sans-serif;font-size:9pt">'
        '<img src="{base}/chips/[% "id" %].png?size=256" width="256" style="display:block"/>'
        '<b>chip [% "id" %]</b>[% CASE WHEN "score" IS NOT NULL THEN \' · score \' || format_number("score", 3) ELSE \'\' END %]<br/>'
        '[% "scene" %] · [% format_date("acquired", \'yyyy-MM-dd\') %]'
        "</div>"
    ).format(base=base)


def thumbnail_fields(layer):
    """Fields holding thumbnail URLs (``thumbnail``, ``before_thumbnail``, ``after_thumbnail`` ...)."""
    return [f.name() for f in layer.fields() if "thumbnail" in f.name().lower() and f.type() == QVariant.String]


def configure_popups(layer, server_url):
    """Map tip with the chip thumbnail(s), a form with them on top, and layer actions."""
    base = (server_url or "").rstrip("/")
    chips = layer.customProperty(PROPERTY_PREFIX + "kind") != "changes"
    thumbs = thumbnail_fields(layer)
    sources = []
    if chips:
        layer.setDisplayExpression('\'chip \' || "id"')
        layer.setMapTipTemplate(map_tip_html(base))
        form_html = ('<script>document.write(\'<img width="256" src="{base}/chips/\' + expression.evaluate(\'"id"\')'
                     ' + \'.png?size=256"/>\')</script>').format(base=base)
    else:
        # /changes: before | after thumbnails as the server links them, then the score
        layer.setDisplayExpression('\'change \' || "id"')
        value = score_field(layer)
        # image URLs: thumbnail links the server gives, else /chips/{id}.png of chip-id fields (before_chip ...)
        sources = [(t, "[% \"{}\" %]".format(t), "'' || \"{}\"".format(t)) for t in thumbs]
        if not sources:
            for f in layer.fields():
                n = f.name().lower()
                if f.isNumeric() and (n.endswith("_chip") or n.endswith("_chip_id")):
                    sources.append((f.name(), "{}/chips/[% \"{}\" %].png?size=256".format(base, f.name()),
                                    "'{}/chips/' || \"{}\" || '.png?size=256'".format(base, f.name())))
        images = "".join('<img src="{}" width="160" title="{}"/> '.format(src, name) for name, src, _ in sources)
        dates = [f.name() for f in layer.fields() if f.type() == QVariant.DateTime]
        layer.setMapTipTemplate(
            '<div style="font-family:sans-serif;font-size:9pt">{}<br/>{}{}</div>'.format(
                images,
                " → ".join('[% format_date("{}", \'yyyy-MM-dd\') %]'.format(d) for d in dates) + ("<br/>" if dates else ""),
                '<b>{0}</b> [% format_number("{0}", 3) %]'.format(value) if value else ""))
        form_html = "".join(
            '<script>document.write(\'<img width="200" src="\' + expression.evaluate("{}") + \'"/> \')</script>'.format(
                expr.replace('"', '\\"')) for _, _, expr in sources)

    form = layer.editFormConfig()
    form.setLayout(QgsEditFormConfig.TabLayout)
    form.clearTabs()
    tab = QgsAttributeEditorContainer("Chip" if chips else "Change", None)
    tab.setIsGroupBox(False)
    if form_html:
        html = QgsAttributeEditorHtmlElement("thumbnail", tab)
        html.setHtmlCode(form_html)
        tab.addChildElement(html)
    for i, field in enumerate(layer.fields()):
        tab.addChildElement(QgsAttributeEditorField(field.name(), i, tab))
    form.addTab(tab)
    layer.setEditFormConfig(form)

    manager = layer.actions()
    manager.clearActions()
    for t in thumbs:
        label = "Open chip thumbnail" if t == "thumbnail" else "Open " + t.replace("_", " ")
        manager.addAction(QgsAction(QgsAction.OpenUrl, label, '[% "{}" %]'.format(t), False))
    if not chips and not thumbs:
        for name, src, _ in sources:
            manager.addAction(QgsAction(QgsAction.OpenUrl, "Open " + name.replace("_", " ") + " thumbnail", src, False))
    if chips:
        manager.addAction(QgsAction(
            QgsAction.GenericPython, "Add chip image as a layer",
            "from qgis.utils import plugins\n"
            "p = plugins.get('rsgeosearch')\n"
            "if p is not None:\n"
            "    p.add_chip_image([% \"id\" %])\n",
            False))
        for label, like in (("More like this (+)", "True"), ("Less like this (−)", "False")):
            manager.addAction(QgsAction(
                QgsAction.GenericPython, label,
                "from qgis.utils import plugins\n"
                "p = plugins.get('rsgeosearch')\n"
                "if p is not None:\n"
                "    p.label_chip([% \"id\" %], " + like + ")\n",
                False))
        manager.addAction(QgsAction(
            QgsAction.GenericPython, "Find similar chips",
            "from qgis.utils import plugins\n"
            "p = plugins.get('rsgeosearch')\n"
            "if p is not None:\n"
            "    p.find_similar([% \"id\" %])\n",
            False))
    return layer


def make_layer(collection, name, server_url, kind="search", description=None):
    """layer_from_collection + graduated style + map tips/form/actions: ready for QgsProject.addMapLayer."""
    layer = layer_from_collection(collection, name, server_url, kind, description)
    style_by_score(layer)
    configure_popups(layer, server_url)
    return layer
