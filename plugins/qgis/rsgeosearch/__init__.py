"""RsGeoSearch QGIS plugin: natural-language search over georeferenced satellite imagery."""


def classFactory(iface):  # noqa: N802 - the name QGIS looks for
    from .plugin import RsGeoSearchPlugin

    return RsGeoSearchPlugin(iface)
