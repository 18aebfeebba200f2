"""Loads the chips layer of a running RsGeoSearch server through QGIS's own OAPIF and WFS providers.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 check_layers.py http://127.0.0.1:PORT EXPECTED_CHIPS
Prints one line per check and ends with "N passed, N failed"; exit code 0 only when every check passed.
"""
import sys

from qgis.core import QgsApplication, QgsFeatureRequest, QgsRectangle, QgsVectorLayer

base, expected = sys.argv[1].rstrip("/"), int(sys.argv[2])
app = QgsApplication([], False)
app.initQgis()
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)
    passed, failed = passed + ok, failed + (not ok)


def load(provider, uri):
    layer = QgsVectorLayer(uri, "chips", provider)
    check(f"{provider} layer is valid", layer.isValid(), layer.error().summary() if not layer.isValid() else "")
    if not layer.isValid():
        return
    features = list(layer.getFeatures())
    check(f"{provider} feature count", len(features) == expected, f"{len(features)} != {expected}")
    check(f"{provider} geometries valid polygons",
          all(f.hasGeometry() and f.geometry().isGeosValid() and f.geometry().type() == 2 for f in features))
    names = layer.fields().names()
    check(f"{provider} attribute scene_id", "scene_id" in names and all(f["scene_id"] for f in features), str(names))
    if features:
        box = features[0].geometry().boundingBox()
        inner = QgsRectangle(box.xMinimum(), box.yMinimum(), box.center().x(), box.center().y())
        hits = list(layer.getFeatures(QgsFeatureRequest().setFilterRect(inner)))
        check(f"{provider} rectangle filter", 0 < len(hits) < len(features), f"{len(hits)} of {len(features)}")
        lon_ok = -180 <= box.xMinimum() <= 180 and -90 <= box.yMinimum() <= 90
        check(f"{provider} coordinates are lon/lat in range", lon_ok, box.toString())


def ranked(provider, uri):
    """A text search in the connection URL: the chips come with a score field, best first (OAPIF keeps the order)."""
    layer = QgsVectorLayer(uri, "farmland", provider)
    check(f"{provider} text-search layer is valid", layer.isValid(), layer.error().summary() if not layer.isValid() else "")
    if not layer.isValid():
        return
    names = layer.fields().names()
    check(f"{provider} text-search layer has score", "score" in names, str(names))
    if "score" not in names:
        return
    scores = [f["score"] for f in layer.getFeatures()]
    check(f"{provider} text-search feature count", len(scores) == expected, f"{len(scores)} != {expected}")
    check(f"{provider} text-search scores present", all(isinstance(s, float) for s in scores), str(scores[:5]))
    if provider == "OAPIF":
        check(f"{provider} text-search best first", scores == sorted(scores, reverse=True), str(scores[:8]))


def subset(provider, uri, field):
    """A subset string on an attribute (QGIS hands it to the server as a filter where it can)."""
    layer = QgsVectorLayer(uri, "subset", provider)
    if not layer.isValid():
        check(f"{provider} subset layer is valid", False, layer.error().summary())
        return
    values = [f[field] for f in layer.getFeatures()]
    value = values[0]
    layer.setSubsetString(f'"{field}" = {value}')
    got = [f[field] for f in layer.getFeatures()]
    check(f"{provider} subset {field} = {value}", len(got) == values.count(value) and set(got) == {value},
          f"{len(got)} features, {values.count(value)} expected")


load("OAPIF", f"url='{base}/ogc' typename='chips'")
load("WFS", f"url='{base}/wfs' typename='rsgeo:chips' version='2.0.0'")
ranked("OAPIF", f"url='{base}/ogc?q=farmland' typename='chips'")
ranked("WFS", f"url='{base}/wfs?Q=farmland' typename='rsgeo:chips' version='2.0.0'")
subset("WFS", f"url='{base}/wfs' typename='rsgeo:chips' version='2.0.0'", "scene_id")
print(f"{passed} passed, {failed} failed", flush=True)
app.exitQgis()
sys.exit(0 if failed == 0 else 1)
