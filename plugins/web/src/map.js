/**
 * The OpenLayers map of the page: library imagery (chip thumbnails placed by their footprints), scene outlines,
 * result footprints coloured by score, the search box (draw / edit), and an optional XYZ base map.
 * OpenLayers renders with canvas 2D, so the page works without WebGL (headless browsers, remote desktops).
 */
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import TileLayer from 'ol/layer/Tile.js';
import XYZ from 'ol/source/XYZ.js';
import ImageLayer from 'ol/layer/Image.js';
import ImageStatic from 'ol/source/ImageStatic.js';
import LayerGroup from 'ol/layer/Group.js';
import Graticule from 'ol/layer/Graticule.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import ExtentInteraction from 'ol/interaction/Extent.js';
import { defaults as defaultControls } from 'ol/control/defaults.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import { fromLonLat, toLonLat, transformExtent } from 'ol/proj.js';
import { fromExtent } from 'ol/geom/Polygon.js';
import Feature from 'ol/Feature.js';
import Point from 'ol/geom/Point.js';
import { getCenter, getWidth, getHeight } from 'ol/extent.js';
import { Style, Fill, Stroke, Circle as CircleStyle, RegularShape, Text } from 'ol/style.js';
import { scoreStyle } from './lib/ol-semantic-search.js';
import { fetchChipItems } from './lib/semantic-search.js';

const geojson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

const IMAGERY_MAX_SPAN_DEG = 4; // imagery loads when the view spans at most this many degrees
const IMAGERY_MAX_IMAGES = 250;

export class SearchMap {
  /**
   * @param {HTMLElement} target
   * @param {{baseUrl:string, onHover:(id:number|null)=>void, onSelect:(id:number)=>void,
   *          onBbox:(bbox:number[]|null)=>void, onView:()=>void, onError:(e:Error)=>void}} options
   */
  constructor(target, options) {
    this.options = options;
    this.hoverId = null;
    this.selectedId = null;
    this.scoreRange = null;
    this.imageryFilter = { datetime: undefined };
    this.imageryLayers = new globalThis.Map();

    this.basemap = new TileLayer({ visible: false, properties: { name: 'basemap' } });
    this.imagery = new LayerGroup({ properties: { name: 'imagery' } });
    this.scenes = new VectorLayer({ source: new VectorSource(), style: sceneStyle, properties: { name: 'scenes' } });
    this.results = new VectorLayer({
      source: new VectorSource(),
      style: scoreStyle({ getRange: () => this.scoreRange, highlighted: (f) => f.getId() === this.hoverId || f.getId() === this.selectedId }),
      properties: { name: 'results' },
    });
    // Lon/lat lines for orientation: no base map is reachable offline.
    this.graticule = new Graticule({ strokeStyle: new Stroke({ color: 'rgba(255,255,255,0.16)', width: 1 }), showLabels: true, wrapX: false,
      lonLabelStyle: graticuleLabel('bottom'), latLabelStyle: graticuleLabel('end'), properties: { name: 'graticule' } });
    this.bboxLayer = new VectorLayer({ source: new VectorSource(), style: bboxStyle, properties: { name: 'bbox' } });

    this.map = new Map({
      target,
      layers: [this.basemap, this.graticule, this.imagery, this.scenes, this.results, this.bboxLayer],
      controls: defaultControls({ attribution: false }).extend([new ScaleLine()]),
      view: new View({ center: [0, 0], zoom: 2, maxZoom: 22 }),
      keyboardEventTarget: target,
    });

    this.extent = new ExtentInteraction({ drag: true, boxStyle: bboxStyle, pointerStyle: pointerStyle });
    this.extent.setActive(false);
    this.map.addInteraction(this.extent);
    this.bboxBeforeDraw = null;
    document.addEventListener('pointerup', () => {
      if (this.extent.getActive()) setTimeout(() => this.commitDrawnBox(), 0);
    });

    this.map.on('pointermove', (e) => {
      if (e.dragging) return;
      const id = this.resultAt(e.pixel);
      this.map.getTargetElement().style.cursor = id != null && !this.extent.getActive() ? 'pointer' : '';
      if (id !== this.hoverId) options.onHover(id);
    });
    this.map.getViewport().addEventListener('pointerleave', () => this.hoverId != null && options.onHover(null));
    this.map.on('singleclick', (e) => {
      if (this.extent.getActive()) return;
      const id = this.resultAt(e.pixel);
      if (id != null) options.onSelect(id);
    });
    let timer = null;
    this.map.on('moveend', () => {
      options.onView();
      clearTimeout(timer);
      timer = setTimeout(() => this.loadImagery(), 250);
    });
  }

  resultAt(pixel) {
    let id = null;
    this.map.forEachFeatureAtPixel(pixel, (f) => { id = f.getId(); return true; }, { layerFilter: (l) => l === this.results, hitTolerance: 3 });
    return id;
  }

  /** Shows search results (a GeoJSON FeatureCollection in CRS84). */
  setResults(collection, scoreRange) {
    this.scoreRange = scoreRange;
    const source = this.results.getSource();
    source.clear(true);
    const features = geojson.readFeatures(collection);
    source.addFeatures(features);
    this.map.getTargetElement().dataset.footprints = String(source.getFeatures().length);
  }

  resultCount() {
    return this.results.getSource().getFeatures().length;
  }

  setHighlight(hoverId, selectedId) {
    this.hoverId = hoverId;
    this.selectedId = selectedId;
    this.results.changed();
  }

  setScenes(features) {
    const source = this.scenes.getSource();
    source.clear(true);
    source.addFeatures(geojson.readFeatures({ type: 'FeatureCollection', features: features.filter((f) => f.geometry) }));
  }

  /** Fits the view to a [minx, miny, maxx, maxy] box in degrees. */
  fitBbox(bbox, { maxZoom = 16, duration = 0 } = {}) {
    const extent = transformExtent(bbox, 'EPSG:4326', 'EPSG:3857');
    this.map.getView().fit(extent, { padding: [40, 40, 40, 40], maxZoom, duration });
  }

  /** Fits the view to the results; with `onlyIfNoneVisible`, only when the view shows none of them. */
  fitResults({ onlyIfNoneVisible = false } = {}) {
    const source = this.results.getSource();
    if (source.getFeatures().length === 0) return;
    if (onlyIfNoneVisible) {
      const view = this.map.getView().calculateExtent(this.map.getSize());
      if (source.getFeaturesInExtent(view).length > 0) return;
    }
    this.map.getView().fit(source.getExtent(), { padding: [60, 60, 60, 60], maxZoom: 15, duration: 300 });
  }

  zoomToFeature(id) {
    const f = this.results.getSource().getFeatureById(id);
    if (f) this.map.getView().fit(f.getGeometry().getExtent(), { padding: [80, 80, 80, 80], maxZoom: 17, duration: 300 });
  }

  /** Shows one chip that is not among the results (a shared link's chip=). */
  showExtraFeature(feature) {
    const source = this.results.getSource();
    if (!source.getFeatureById(feature.id)) source.addFeature(geojson.readFeature(feature));
  }

  getViewState() {
    const view = this.map.getView();
    const [lon, lat] = toLonLat(view.getCenter());
    return { lon, lat, zoom: view.getZoom() };
  }

  setViewState({ lon, lat, zoom }) {
    this.map.getView().setCenter(fromLonLat([lon, lat]));
    this.map.getView().setZoom(zoom);
  }

  /** The visible area as a [minx, miny, maxx, maxy] box in degrees, clamped to the world. */
  viewBbox() {
    const extent = this.map.getView().calculateExtent(this.map.getSize());
    return clampBbox(transformExtent(extent, 'EPSG:3857', 'EPSG:4326'));
  }

  /** The committed search box (null = anywhere). */
  setBbox(bbox) {
    const source = this.bboxLayer.getSource();
    source.clear(true);
    if (bbox) source.addFeature(new Feature(fromExtent(transformExtent(bbox, 'EPSG:4326', 'EPSG:3857'))));
    if (this.extent.getActive()) this.extent.setExtent(bbox ? transformExtent(bbox, 'EPSG:4326', 'EPSG:3857') : null);
  }

  isDrawing() {
    return this.extent.getActive();
  }

  startDraw(bbox) {
    this.bboxBeforeDraw = bbox;
    this.bboxLayer.setVisible(false);
    this.extent.setActive(true);
    this.extent.setExtent(bbox ? transformExtent(bbox, 'EPSG:4326', 'EPSG:3857') : null);
  }

  stopDraw() {
    this.extent.setActive(false);
    this.extent.setExtent(null);
    this.bboxLayer.setVisible(true);
  }

  commitDrawnBox() {
    const extent = this.extent.getExtent();
    if (!extent || getWidth(extent) === 0 || getHeight(extent) === 0) {
      // A click without a drag: keep the box there was.
      if (this.bboxBeforeDraw) this.extent.setExtent(transformExtent(this.bboxBeforeDraw, 'EPSG:4326', 'EPSG:3857'));
      return;
    }
    const bbox = roundBbox(clampBbox(transformExtent(extent, 'EPSG:3857', 'EPSG:4326')));
    this.bboxBeforeDraw = bbox;
    this.setBbox(bbox);
    this.options.onBbox(bbox);
  }

  setBasemap(url) {
    if (url) {
      this.basemap.setSource(new XYZ({ url, crossOrigin: 'anonymous', maxZoom: 19 }));
      this.basemap.setVisible(true);
    } else {
      this.basemap.setVisible(false);
      this.basemap.setSource(null);
    }
  }

  setLayerVisible(name, visible) {
    ({ imagery: this.imagery, scenes: this.scenes })[name]?.setVisible(visible);
    if (name === 'imagery' && visible) this.loadImagery();
  }

  setImageryFilter(filter) {
    const changed = filter.datetime !== this.imageryFilter.datetime;
    this.imageryFilter = filter;
    if (changed) this.loadImagery();
  }

  /**
   * Library imagery: the chips in view (OGC items, no text query), for each scene the pyramid level whose chips
   * appear closest to 256 px wide, drawn oldest first so the newest acquisition lies on top.
   */
  async loadImagery() {
    if (!this.imagery.getVisible() || !this.map.getSize()) return;
    const bbox = this.viewBbox();
    const tooWide = bbox[2] - bbox[0] > IMAGERY_MAX_SPAN_DEG || bbox[3] - bbox[1] > IMAGERY_MAX_SPAN_DEG;
    this.imageryController?.abort();
    if (tooWide) {
      this.showImagery([]);
      return;
    }
    const controller = new AbortController();
    this.imageryController = controller;
    let fc;
    try {
      fc = await fetchChipItems({ baseUrl: this.options.baseUrl, bbox, datetime: this.imageryFilter.datetime, limit: 1000 },
        { signal: controller.signal, maxFeatures: 1000 });
    } catch (e) {
      if (e?.name !== 'AbortError') this.options.onError(e);
      return;
    }
    if (controller.signal.aborted) return;
    const resolution = this.map.getView().getResolution();
    const byScene = new globalThis.Map();
    for (const f of fc.features) {
      if (!f.bbox) continue;
      const list = byScene.get(f.properties.scene_id) ?? [];
      list.push(f);
      byScene.set(f.properties.scene_id, list);
    }
    const chosen = [];
    for (const list of byScene.values()) {
      const levels = [...new Set(list.map((f) => f.properties.level))];
      const px = (level) => {
        const f = list.find((x) => x.properties.level === level);
        return getWidth(transformExtent(f.bbox, 'EPSG:4326', 'EPSG:3857')) / resolution;
      };
      const best = levels.reduce((a, b) => (Math.abs(Math.log2(px(b) / 256)) < Math.abs(Math.log2(px(a) / 256)) ? b : a));
      chosen.push(...list.filter((f) => f.properties.level === best));
    }
    chosen.sort((a, b) => String(a.properties.acquired ?? '').localeCompare(String(b.properties.acquired ?? '')) || a.id - b.id);
    this.showImagery(chosen.slice(-IMAGERY_MAX_IMAGES));
  }

  showImagery(features) {
    const wanted = new Set(features.map((f) => f.id));
    for (const id of [...this.imageryLayers.keys()]) if (!wanted.has(id)) this.imageryLayers.delete(id);
    const layers = features.map((f) => {
      let layer = this.imageryLayers.get(f.id);
      if (!layer) {
        layer = new ImageLayer({
          source: new ImageStatic({
            url: f.properties.thumbnail ?? `${this.options.baseUrl}/chips/${f.id}.png`,
            imageExtent: transformExtent(f.bbox, 'EPSG:4326', 'EPSG:3857'),
            projection: 'EPSG:3857',
          }),
          opacity: 0.95,
        });
        this.imageryLayers.set(f.id, layer);
      }
      return layer;
    });
    this.imagery.getLayers().clear();
    this.imagery.getLayers().extend(layers);
    this.map.getTargetElement().dataset.imagery = String(layers.length);
  }
}

function graticuleLabel(align) {
  return new Text({
    font: '11px system-ui, sans-serif',
    textAlign: align === 'end' ? 'end' : undefined,
    textBaseline: align === 'bottom' ? 'bottom' : undefined,
    fill: new Fill({ color: 'rgba(255,255,255,0.55)' }),
  });
}

function clampBbox([minx, miny, maxx, maxy]) {
  const c = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return [c(minx, -180, 180), c(miny, -90, 90), c(maxx, -180, 180), c(maxy, -90, 90)];
}

function roundBbox(bbox) {
  return bbox.map((v) => Math.round(v * 1e5) / 1e5);
}

const bboxStyle = new Style({
  stroke: new Stroke({ color: '#ff8c00', width: 2.5, lineDash: [8, 5] }),
  fill: new Fill({ color: 'rgba(255,140,0,0.06)' }),
});

const pointerStyle = new Style({
  image: new CircleStyle({ radius: 6, fill: new Fill({ color: '#ff8c00' }), stroke: new Stroke({ color: '#fff', width: 1.5 }) }),
});

const sceneOutline = new Style({ stroke: new Stroke({ color: 'rgba(20,30,40,0.9)', width: 1.5 }) });
const sceneOutlineInner = new Style({ stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 1, lineDash: [4, 4] }) });
const sceneMarker = new RegularShape({ points: 4, radius: 8, angle: Math.PI / 4, fill: new Fill({ color: 'rgba(255,255,255,0.9)' }), stroke: new Stroke({ color: '#ff8c00', width: 2 }) });

function sceneStyle(feature, resolution) {
  const extent = feature.getGeometry().getExtent();
  if (Math.max(getWidth(extent), getHeight(extent)) / resolution < 8)
    return new Style({ geometry: new Point(getCenter(extent)), image: sceneMarker });
  return [sceneOutline, sceneOutlineInner];
}
