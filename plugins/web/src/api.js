/**
 * The documented RsGeoSearch HTTP API as the page uses it: /search, /chips/{id}, /chips/{id}/similar,
 * /chips/{id}.png, /classify, /models, /scenes, /ogc/collections/{id}, /changes. Every failure is an ApiError
 * carrying the server's problem+json title and detail, which the page shows to the user.
 */
import { ApiError, problemFrom, normalizeBaseUrl } from './lib/semantic-search.js';

export { ApiError };

export class Api {
  /** @param {string} baseUrl the server root ('' = the page's origin and path) */
  constructor(baseUrl) {
    this.base = normalizeBaseUrl(baseUrl);
    this.apiKey = '';
  }

  url(path, params) {
    const search = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')).toString() : '';
    return `${this.base}${path}${search ? `?${search.replace(/%2C/g, ',')}` : ''}`;
  }

  async request(path, { params, method = 'GET', body, signal, headers = {} } = {}) {
    let response;
    try {
      response = await fetch(this.url(path, params), { method, body, signal, headers: { Accept: 'application/geo+json, application/json', ...headers } });
    } catch (e) {
      if (e?.name === 'AbortError') throw e;
      throw new ApiError({ status: 0, title: 'The server cannot be reached', detail: `${method} ${path} failed (${e?.message ?? e}); is rsgeo serve running?` });
    }
    if (!response.ok) throw await problemFrom(response);
    try {
      return await response.json();
    } catch {
      throw new ApiError({ status: response.status, title: 'Unreadable answer', detail: `${path} did not return JSON` });
    }
  }

  /** GET /search: q, bbox, datetime, limit, offset, min_score, model, like, unlike → FeatureCollection (score per chip). */
  search(params, signal) {
    return this.request('/search', { params, signal });
  }

  /** GET /chips/{id}/similar: chips whose embedding is nearest to this chip's. */
  similar(id, params, signal) {
    const { q, like, unlike, ...rest } = params; // not accepted by /similar
    return this.request(`/chips/${id}/similar`, { params: rest, signal });
  }

  /** GET /chips/{id}: one chip as a GeoJSON Feature. */
  chip(id, signal) {
    return this.request(`/chips/${id}`, { signal });
  }

  thumbnailUrl(id, size = 256) {
    return this.url(`/chips/${id}.png`, size === 256 ? undefined : { size: String(size) });
  }

  /** GET /models → [{name, family, dimension, is_default}] */
  async models(signal) {
    const body = await this.request('/models', { signal });
    return Array.isArray(body.models) ? body.models : [];
  }

  /** GET /ogc/collections/{id}: title, extent.spatial.bbox, extent.temporal.interval. */
  collection(id, signal) {
    return this.request(`/ogc/collections/${id}`, { signal });
  }

  /** GET /scenes, following next links up to `max` scenes: footprints, acquisition dates, chip counts. */
  async scenes({ max = 5000, signal } = {}) {
    const features = [];
    let offset = 0;
    for (;;) {
      const page = await this.request('/scenes', { params: { limit: '1000', offset: offset ? String(offset) : undefined }, signal });
      const items = page.features ?? [];
      features.push(...items);
      offset += items.length;
      const more = (page.links ?? []).some((l) => l.rel === 'next');
      if (!more || items.length === 0 || features.length >= max) break;
    }
    return features;
  }

  /**
   * Zero-shot labels of a chip: its thumbnail PNG is sent to POST /classify with the candidate labels.
   * @returns {Promise<{model:string, labels:{label:string, score:number}[]}>}
   */
  async classifyChip(id, labels, model, signal) {
    let png;
    try {
      const response = await fetch(this.thumbnailUrl(id, 256), { signal });
      if (!response.ok) throw await problemFrom(response);
      png = await response.blob();
    } catch (e) {
      if (e instanceof ApiError || e?.name === 'AbortError') throw e;
      throw new ApiError({ status: 0, title: 'The thumbnail cannot be loaded', detail: String(e?.message ?? e) });
    }
    const form = new FormData();
    form.append('image', png, `chip-${id}.png`);
    form.append('labels', labels.join('\n'));
    if (model) form.append('model', model);
    const headers = this.apiKey ? { 'X-API-Key': this.apiKey } : {};
    return this.request('/classify', { method: 'POST', body: form, signal, headers });
  }

  /** GET /ogc/collections → [{id, title, extent, ...}] (what the server offers: chips, scenes, changes). */
  async collections(signal) {
    const body = await this.request('/ogc/collections', { signal });
    return Array.isArray(body.collections) ? body.collections : [];
  }

  /**
   * POST /export/gpkg: a GeoJSON FeatureCollection converted by the server (GDAL) into a GeoPackage.
   * @returns {Promise<Blob>}
   */
  async exportGeoPackage(collection, layer = 'chips', signal) {
    let response;
    try {
      response = await fetch(this.url('/export/gpkg', { layer }), {
        method: 'POST', signal, body: JSON.stringify(collection), headers: { 'Content-Type': 'application/geo+json' },
      });
    } catch (e) {
      if (e?.name === 'AbortError') throw e;
      throw new ApiError({ status: 0, title: 'The server cannot be reached', detail: `the GeoPackage export failed (${e?.message ?? e})` });
    }
    if (!response.ok) throw await problemFrom(response);
    return response.blob();
  }

  /** GET /changes?bbox=&from=&to=&q= (change detection between acquisition dates). */
  changes(params, signal) {
    return this.request('/changes', { params, signal });
  }
}
