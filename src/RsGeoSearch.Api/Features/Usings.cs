// The feature schema's GeoJSON writer (FeatureJson) lives in Core, shared with the CLI; every HTTP format uses it.
global using RsGeoSearch.Core.Features;
