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
import MousePosition from 'ol/control/MousePosition.js';
import Attribution from 'ol/control/Attribution.js';
import { fromLonLat, toLonLat, transformExtent } from 'ol/proj.js';
import { getRenderPixel } from 'ol/render.js';
import { fromExtent } from 'ol/geom/Polygon.js';
import Feature from 'ol/Feature.js';
import Point from 'ol/geom/Point.js';
import { getCenter, getWidth, getHeight } from 'ol/extent.js';
import { Style, Fill, Stroke, Circle as CircleStyle, RegularShape, Text } from 'ol/style.js';
import { scoreStyle } from './lib/ol-semantic-search.js';
import { createBaseMap } from './basemap.js';
import { THRESHOLD } from './state.js';
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

    this.fillOpacity = 0.12;
    this.basemap = new TileLayer({ visible: false, properties: { name: 'basemap' } });
    this.vectorBase = createBaseMap((e) => options.onError(e));
    this.imagery = new LayerGroup({ properties: { name: 'imagery' } });
    // The selected chip's own image (its date, not the newest one in range), on its footprint above the imagery.
    this.chipImage = new ImageLayer({ properties: { name: 'chip-image' } });
    // A change's before and after images, the after one clipped right of the swipe position.
    this.swipe = 0.5;
    this.swipeBefore = new ImageLayer({ properties: { name: 'swipe-before' }, className: 'swipe-before' });
    this.swipeAfter = new ImageLayer({ properties: { name: 'swipe-after' }, className: 'swipe-after' });
    this.swipeAfter.on('prerender', (e) => {
      const ctx = e.context;
      const size = this.map.getSize();
      const [x0, y0] = getRenderPixel(e, [size[0] * this.swipe, 0]);
      const [x1, y1] = getRenderPixel(e, [size[0], size[1]]);
      ctx.save();
      ctx.beginPath();
      ctx.rect(x0, y0, x1 - x0, y1 - y0);
      ctx.clip();
    });
    this.swipeAfter.on('postrender', (e) => e.context.restore());
    this.scenes = new VectorLayer({ source: new VectorSource(), style: sceneStyle, properties: { name: 'scenes' } });
    this.results = new VectorLayer({
      source: new VectorSource(),
      // Best results last (on top): zIndex by rank; hover and selection are outlines only, never a fill over the image.
      style: scoreStyle({
        getRange: () => this.scoreRange,
        highlighted: (f) => f.getId() === this.hoverId || f.getId() === this.selectedId,
        getFillOpacity: () => this.fillOpacity,
        hidden: (f) => this.isHidden(f),
      }),
      properties: { name: 'results' },
    });
    // Lon/lat lines for orientation: no base map is reachable offline.
    this.graticule = new Graticule({ strokeStyle: new Stroke({ color: 'rgba(40,60,80,0.22)', width: 1 }), showLabels: true, wrapX: false,
      lonLabelStyle: graticuleLabel('bottom'), latLabelStyle: graticuleLabel('end'), properties: { name: 'graticule' } });
    this.bboxLayer = new VectorLayer({ source: new VectorSource(), style: bboxStyle, properties: { name: 'bbox' } });

    this.map = new Map({
      target,
      layers: [this.vectorBase, this.basemap, this.graticule, this.imagery, this.chipImage, this.swipeBefore, this.swipeAfter, this.scenes, this.results, this.bboxLayer],
      controls: defaultControls({ attribution: false }).extend([
        new Attribution({ collapsible: false }),
        new ScaleLine(),
        new MousePosition({
          className: 'ol-mouse-position', projection: 'EPSG:4326', placeholder: '',
          coordinateFormat: ([x, y]) => `${Math.abs(y).toFixed(4)}° ${y >= 0 ? 'N' : 'S'}, ${Math.abs(x).toFixed(4)}° ${x >= 0 ? 'E' : 'W'}`,
        }),
      ]),
      view: new View({ center: [0, 0], zoom: 2, maxZoom: 22 }),
      keyboardEventTarget: target,
    });

    const markBase = () => { if (this.vectorBase.getSource().get('loaded')) target.dataset.basemap = 'ready'; };
    this.vectorBase.getSource().on('propertychange', markBase);
    markBase();

    this.extent = new ExtentInteraction({ drag: true, boxStyle: bboxStyle, pointerStyle: pointerStyle });
    this.extent.setActive(false); // added to the map only while drawing: its box and handle leave with it
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
      const ids = this.resultsAt(e.pixel);
      if (ids.length) options.onSelect(ids[0], ids);
    });
    let timer = null;
    this.map.on('moveend', () => {
      options.onView();
      clearTimeout(timer);
      timer = setTimeout(() => this.loadImagery(), 250);
    });
  }

  /** The best-ranked result under a pixel (the one drawn on top), or null. */
  resultAt(pixel) {
    return this.resultsAt(pixel)[0] ?? null;
  }

  /** Every result under a pixel, best-ranked first (the drawing order reversed). */
  resultsAt(pixel) {
    const found = [];
    this.map.forEachFeatureAtPixel(pixel, (f) => { if (!this.isHidden(f)) found.push(f); }, { layerFilter: (l) => l === this.results, hitTolerance: 3 });
    found.sort((a, b) => (a.get('rank') ?? 1e9) - (b.get('rank') ?? 1e9));
    return [...new Set(found.map((f) => f.getId()))];
  }

  isHidden(f) {
    const v = f.get(THRESHOLD.property);
    return this.minScore != null && typeof v === 'number' && v < this.minScore;
  }

  /**
   * Shows search results (a GeoJSON FeatureCollection in CRS84, best first). Each feature keeps its rank: the
   * style draws the best last (on top), and a click opens the best under the pointer.
   */
  setResults(collection, scoreRange) {
    this.scoreRange = scoreRange;
    const source = this.results.getSource();
    source.clear(true);
    const features = geojson.readFeatures(collection);
    features.forEach((f, i) => f.set('rank', i, true));
    source.addFeatures(features);
    this.map.getTargetElement().dataset.footprints = String(source.getFeatures().length);
  }

  /** Light fill of the footprints, 0..1 (outlines stay). */
  setFillOpacity(opacity) {
    this.fillOpacity = opacity;
    this.results.changed();
  }

  /** Footprints under this score are not drawn (the threshold slider); null shows all. */
  setMinScore(minScore) {
    this.minScore = minScore;
    this.results.changed();
  }

  /** The results' extent in degrees, or null. */
  resultsExtent() {
    const source = this.results.getSource();
    return source.getFeatures().length ? transformExtent(source.getExtent(), 'EPSG:3857', 'EPSG:4326') : null;
  }

  resultCount() {
    return this.results.getSource().getFeatures().length;
  }

  setHighlight(hoverId, selectedId) {
    this.hoverId = hoverId;
    if (selectedId !== this.selectedId) this.showChipImage(selectedId);
    this.selectedId = selectedId;
    this.results.changed();
  }

  /** Draws the selected chip's own PNG on its footprint (null removes it). */
  showChipImage(id) {
    const f = typeof id !== 'number' ? null : this.results.getSource().getFeatureById(id); // chips only, not change pairs
    if (!f) {
      this.chipImage.setSource(null);
      delete this.map.getTargetElement().dataset.chipImage;
      return;
    }
    this.chipImage.setSource(new ImageStatic({
      url: f.get('thumbnail') ?? `${this.options.baseUrl}/chips/${id}.png`,
      imageExtent: f.getGeometry().getExtent(),
      projection: 'EPSG:3857',
    }));
    this.map.getTargetElement().dataset.chipImage = String(id);
  }

  setScenes(features) {
    const source = this.scenes.getSource();
    source.clear(true);
    source.addFeatures(geojson.readFeatures({ type: 'FeatureCollection', features: features.filter((f) => f.geometry) }));
  }

  /** A change's before/after images on its footprint ({bbox, before, after} URLs), or null to remove them. */
  showSwipe(pair) {
    const target = this.map.getTargetElement();
    if (!pair) {
      this.swipeBefore.setSource(null);
      this.swipeAfter.setSource(null);
      delete target.dataset.swipe;
      return;
    }
    const extent = transformExtent(pair.bbox, 'EPSG:4326', 'EPSG:3857');
    this.swipeBefore.setSource(new ImageStatic({ url: pair.before, imageExtent: extent, projection: 'EPSG:3857' }));
    this.swipeAfter.setSource(new ImageStatic({ url: pair.after, imageExtent: extent, projection: 'EPSG:3857' }));
    target.dataset.swipe = 'on';
  }

  /** The swipe position, 0 (all after) .. 1 (all before), as a fraction of the map's width. */
  setSwipe(fraction) {
    this.swipe = fraction;
    this.map.render();
  }

  /** Fits the view to a [minx, miny, maxx, maxy] box in degrees. */
  fitBbox(bbox, { maxZoom = 16, duration = 0 } = {}) {
    const extent = transformExtent(bbox, 'EPSG:4326', 'EPSG:3857');
    this.map.getView().fit(extent, { padding: [40, 40, 40, 40], maxZoom, duration });
  }

  /** Fits the view to the results; with `onlyIfNoneVisible`, only when the view shows none of them. */
  fitResults({ onlyIfNoneVisible = false, duration = 300 } = {}) {
    const source = this.results.getSource();
    if (source.getFeatures().length === 0) return;
    if (onlyIfNoneVisible) {
      const view = this.map.getView().calculateExtent(this.map.getSize());
      if (source.getFeaturesInExtent(view).length > 0) return;
    }
    this.map.getView().fit(source.getExtent(), { padding: [60, 60, 60, 60], maxZoom: 15, duration });
  }

  zoomToFeature(id) {
    const f = this.results.getSource().getFeatureById(id);
    if (f) this.map.getView().fit(f.getGeometry().getExtent(), { padding: [80, 80, 80, 80], maxZoom: 17, duration: 300 });
  }

  /** Shows one chip that is not among the results (a shared link's chip=). */
  showExtraFeature(feature) {
    const source = this.results.getSource();
    if (!source.getFeatureById(feature.id)) source.addFeature(geojson.readFeature(feature));
    if (this.selectedId === feature.id) this.showChipImage(feature.id);
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
    this.map.getTargetElement().dataset.boxes = String(source.getFeatures().length);
    if (this.extent.getActive()) this.extent.setExtent(bbox ? transformExtent(bbox, 'EPSG:4326', 'EPSG:3857') : null);
  }

  isDrawing() {
    return this.extent.getActive();
  }

  startDraw(bbox) {
    this.bboxBeforeDraw = bbox;
    this.bboxLayer.setVisible(false);
    if (!this.map.getInteractions().getArray().includes(this.extent)) this.map.addInteraction(this.extent);
    this.extent.setActive(true);
    this.extent.setExtent(bbox ? transformExtent(bbox, 'EPSG:4326', 'EPSG:3857') : null);
    this.map.getTargetElement().dataset.drawing = 'true';
  }

  stopDraw() {
    this.extent.setActive(false);
    this.extent.setExtent(null);
    this.map.removeInteraction(this.extent); // removes the interaction's own box and corner handle from the map
    this.map.getTargetElement().dataset.drawing = 'false';
    this.bboxLayer.setVisible(true);
  }

  /** Forgets a drawn box (Clear): nothing of it stays on the map. */
  clearDrawnBox() {
    this.bboxBeforeDraw = null;
    if (this.isDrawing()) this.extent.setExtent(null);
  }

  commitDrawnBox() {
    if (!this.extent.getActive()) return; // the pointerup of the Done click arrives after drawing ended
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

  /**
   * An XYZ tile base map over the offline vector one; `attribution` is shown in the map's attribution control
   * (OpenStreetMap tiles get their required notice when none is given). Tile failures reach onError once.
   */
  setBasemap(url, attribution = '') {
    if (url) {
      const text = attribution || (/openstreetmap/i.test(url) ? '© OpenStreetMap contributors' : `Tiles: ${new URL(url.replace(/[{}]/g, '')).host}`);
      const source = new XYZ({ url, crossOrigin: 'anonymous', maxZoom: 19, attributions: text });
      let reported = false;
      source.on('tileloaderror', () => {
        if (reported) return;
        reported = true;
        this.options.onError(Object.assign(new Error(`tiles from ${new URL(url.replace(/[{}]/g, '')).host} do not load; the offline base map stays visible (Settings → Base map URL)`), { name: 'BasemapError' }));
      });
      this.basemap.setSource(source);
      this.basemap.setVisible(true);
    } else {
      this.basemap.setVisible(false);
      this.basemap.setSource(null);
    }
  }

  setLayerVisible(name, visible) {
    ({ imagery: this.imagery, scenes: this.scenes, vectorBase: this.vectorBase })[name]?.setVisible(visible);
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
    fill: new Fill({ color: '#33414f' }),
    stroke: new Stroke({ color: 'rgba(255,255,255,0.8)', width: 3 }),
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
