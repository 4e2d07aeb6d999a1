// Every unit in one MapLibre custom WebGL layer: one instanced draw of textured quads (icon by
// type and status colour, turned to heading), cluster discs, highlight and selection rings.
// Positions live in one Float32Array, refilled in place at most once per update (about once a
// second for a big fleet) and uploaded with one bufferSubData: no GeoJSON, no worker, no
// re-tiling, no symbol placement. Pans and zooms only redraw the same buffer with a new matrix.
// Clustering (grid-cluster.ts) is a grid on the main thread at the map's whole zoom level,
// computed with the update (not per frame), up to clusterMaxZoom and past it while the view is
// crowded. Hit-testing (unit-hit.ts) and the clusters' labels read what it returned.
// Two ways to draw: inside MapLibre's frame (a custom layer, ordered with the other layers), or
// on a canvas of its own over the map's (attachOverlay), so that a unit update does not repaint
// the whole map; the overlay is the default (see UnitsLayer).
import type { CustomLayerInterface, CustomRenderMethodInput, Map as MapLibreMap } from 'maplibre-gl';
import { bindVao, canvasTexture, createVao, deleteVao, drawQuads, floatAttribute, InstanceData, linkProgram, perInstance, staticBuffer, uniformLocations, type GL } from './gl';
import { clusterDiscRadius, gridCluster, type DrawnCluster, type DrawnUnit, type GridClusterOptions, type PlacedCluster, type PlacedUnit, type UnitPoint } from './grid-cluster';
import { ICON_ATLAS, ICON_SIZE, iconScale } from './icon-atlas';
import { iconAtlas } from './icons';
import { mercatorFromLngLat } from './mercator';
import { hitTest, type UnitHit } from './unit-hit';
import { KIND_CLUSTER, KIND_CLUSTER_ALARMING, KIND_HIGHLIGHT, KIND_ICON, KIND_SELECTED, TRAIL_FRAGMENT, TRAIL_STRIDE, TRAIL_VERTEX, UNIT_STRIDE, UNITS_FRAGMENT, UNITS_VERTEX } from './units-shaders';

export type { DrawnCluster, DrawnUnit, UnitHit, UnitPoint };

export type UnitsGlOptions = GridClusterOptions;

/** A trail to draw: points on the basemap ([lon, lat], already shifted), oldest first. */
export interface TrailLine {
  coords: [number, number][];
  selected: boolean;
}

const layers = new WeakMap<MapLibreMap, UnitsGlLayer>();

/** The units layer of a map, for the trails, the cluster labels and test hooks. */
export function unitsLayerOf(map: MapLibreMap): UnitsGlLayer | undefined {
  return layers.get(map);
}

const UNIT_UNIFORMS = ['u_matrix', 'u_viewport', 'u_icon_px', 'u_bearing', 'u_ratio', 'u_atlas'] as const;
const TRAIL_UNIFORMS = ['u_matrix', 'u_viewport', 'u_ratio'] as const;

export class UnitsGlLayer implements CustomLayerInterface {
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;
  private map: MapLibreMap | undefined;
  private gl: GL | undefined;
  private program: WebGLProgram | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private cornerBuffer: WebGLBuffer | null = null;
  private atlas: WebGLTexture | null = null;
  private uniforms: Partial<Record<(typeof UNIT_UNIFORMS)[number], WebGLUniformLocation | null>> = {};
  private readonly instances = new InstanceData(UNIT_STRIDE, 1024);
  private trail = {
    program: null as WebGLProgram | null,
    vao: null as WebGLVertexArrayObject | null,
    corners: null as WebGLBuffer | null,
    uniforms: {} as Partial<Record<(typeof TRAIL_UNIFORMS)[number], WebGLUniformLocation | null>>,
    segments: new InstanceData(TRAIL_STRIDE, 256),
  };
  private origin = { x: 0, y: 0 };
  /** units drawn on their own and cluster discs, as the last rebuild placed them */
  private drawnUnits: PlacedUnit[] = [];
  private drawnClusters: PlacedCluster[] = [];
  private points: UnitPoint[] = [];
  private selected: string | undefined;
  private highlighted = new Set<string>();
  private clusterZoom = -1;
  /** a new zoom level clusters anew; past clusterMaxZoom a move may reach a crowded area */
  private readonly onMoveEnd = () => {
    if (this.clusterLevel() !== this.clusterZoom || this.clusterLevel() > this.opts.clusterMaxZoom) this.rebuild();
  };
  private readonly changeListeners = new Set<() => void>();
  /** called once per render that drew a new upload (the benchmark's publish → drawn delay) */
  onDrawn: (() => void) | undefined;
  private pendingDrawn = false;

  constructor(
    readonly id: string,
    private readonly opts: UnitsGlOptions,
  ) {}

  onAdd(map: MapLibreMap, gl: GL): void {
    this.map = map;
    this.gl = gl;
    layers.set(map, this);
    const c = map.getCenter();
    this.origin = mercatorFromLngLat(c.lng, c.lat);
    this.initGl(gl);
    map.on('moveend', this.onMoveEnd);
    this.rebuild();
  }

  /** The programs, buffers and icon texture (again after a lost context is restored). */
  private initGl(gl: GL): void {
    const t = this.trail;
    t.program = linkProgram(gl, TRAIL_VERTEX, TRAIL_FRAGMENT, ['a_corner', 'a_p0', 'a_p1', 'a_selected'], 'trails');
    t.uniforms = uniformLocations(gl, t.program, TRAIL_UNIFORMS);
    // along (0..1), side (-1, 1)
    t.corners = staticBuffer(gl, new Float32Array([0, -1, 0, 1, 1, -1, 1, 1]));
    t.segments.attach(gl.createBuffer());
    t.vao = createVao(gl, () => {
      const bytes = TRAIL_STRIDE * 4;
      gl.bindBuffer(gl.ARRAY_BUFFER, t.corners);
      floatAttribute(gl, 0, 2);
      gl.bindBuffer(gl.ARRAY_BUFFER, t.segments.buffer);
      floatAttribute(gl, 1, 2, bytes, 0);
      floatAttribute(gl, 2, 2, bytes, 8);
      floatAttribute(gl, 3, 1, bytes, 16);
      for (const i of [1, 2, 3]) perInstance(gl, i);
    });

    this.program = linkProgram(gl, UNITS_VERTEX, UNITS_FRAGMENT, ['a_corner', 'a_pos', 'a_data'], 'units layer');
    this.uniforms = uniformLocations(gl, this.program, UNIT_UNIFORMS);
    this.cornerBuffer = staticBuffer(gl, new Float32Array([-0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, 0.5]));
    this.instances.attach(gl.createBuffer());
    this.atlas = canvasTexture(gl, iconAtlas(Math.max(1, Math.min(2, window.devicePixelRatio || 1))));
    this.vao = createVao(gl, () => {
      const bytes = UNIT_STRIDE * 4;
      gl.bindBuffer(gl.ARRAY_BUFFER, this.cornerBuffer);
      floatAttribute(gl, 0, 2);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.instances.buffer);
      floatAttribute(gl, 1, 2, bytes, 0);
      floatAttribute(gl, 2, 4, bytes, 8);
      perInstance(gl, 1);
      perInstance(gl, 2);
    });
  }

  onRemove(map: MapLibreMap, gl: GL): void {
    if (this.overlay && gl !== this.overlay.gl) return;
    map.off('moveend', this.onMoveEnd);
    if (layers.get(map) === this) layers.delete(map);
    gl.deleteBuffer(this.instances.buffer);
    gl.deleteBuffer(this.cornerBuffer);
    gl.deleteTexture(this.atlas);
    gl.deleteProgram(this.program);
    gl.deleteProgram(this.trail.program);
    gl.deleteBuffer(this.trail.segments.buffer);
    gl.deleteBuffer(this.trail.corners);
    deleteVao(gl, this.trail.vao);
    deleteVao(gl, this.vao);
    this.map = undefined;
    this.gl = undefined;
  }

  // ---- overlay mode: its own canvas over the map's ----

  private overlay: { canvas: HTMLCanvasElement; gl: GL; frame: number } | undefined;
  private readonly onMapRender = () => this.drawOverlay();
  private readonly onMapResize = () => this.scheduleOverlay();

  /**
   * Draws the units on a canvas of their own, over the map's, instead of inside MapLibre's
   * frame: an update then redraws only the units, not the basemap, geofences and trails
   * (a full map repaint is what costs on a software renderer). The map's own frames (pans,
   * zooms) redraw the overlay in the same task, so both move together.
   */
  attachOverlay(map: MapLibreMap): void {
    const canvas = document.createElement('canvas');
    canvas.className = 'hub-units-overlay';
    canvas.style.cssText = 'position:absolute;left:0;top:0;pointer-events:none;';
    map.getCanvas().after(canvas);
    const attrs: WebGLContextAttributes = { alpha: true, premultipliedAlpha: true, antialias: false, depth: false, stencil: false };
    const gl = (canvas.getContext('webgl2', attrs) ?? canvas.getContext('webgl', attrs)) as GL | null;
    if (!gl) throw new Error('units layer: no WebGL context for the overlay');
    this.overlay = { canvas, gl, frame: 0 };
    // a lost context (a GPU reset, a driver update) draws nothing until restored, then all again
    canvas.addEventListener('webglcontextlost', (e) => {
      e.preventDefault();
      this.program = null;
    });
    canvas.addEventListener('webglcontextrestored', () => {
      if (!this.overlay || !this.map) return;
      this.initGl(gl);
      this.scheduleOverlay();
    });
    map.on('render', this.onMapRender);
    map.on('resize', this.onMapResize);
    this.onAdd(map, gl);
  }

  detachOverlay(): void {
    const o = this.overlay;
    if (!o || !this.map) return;
    const map = this.map;
    map.off('render', this.onMapRender);
    map.off('resize', this.onMapResize);
    cancelAnimationFrame(o.frame);
    this.onRemove(map, o.gl);
    o.gl.getExtension('WEBGL_lose_context')?.loseContext();
    o.canvas.remove();
    this.overlay = undefined;
  }

  private scheduleOverlay(): void {
    const o = this.overlay;
    if (!o || o.frame) return;
    o.frame = requestAnimationFrame(() => {
      o.frame = 0;
      this.drawOverlay();
    });
  }

  private drawOverlay(): void {
    const o = this.overlay;
    const map = this.map;
    if (!o || !map) return;
    const mapCanvas = map.getCanvas();
    const { canvas, gl } = o;
    if (canvas.width !== mapCanvas.width || canvas.height !== mapCanvas.height) {
      canvas.width = mapCanvas.width;
      canvas.height = mapCanvas.height;
    }
    if (canvas.style.width !== mapCanvas.style.width || canvas.style.height !== mapCanvas.style.height) {
      canvas.style.width = mapCanvas.style.width;
      canvas.style.height = mapCanvas.style.height;
    }
    gl.viewport(0, 0, canvas.width, canvas.height);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    this.prerender(gl);
    this.draw(gl, map.transform.getProjectionDataForCustomLayer(false).mainMatrix as unknown as ArrayLike<number>);
  }

  /** Replaces the trails drawn under the units (the caller throttles: about once a second). */
  setTrails(lines: TrailLine[]): void {
    const segments = this.trail.segments;
    let n = 0;
    for (const l of lines) n += Math.max(0, l.coords.length - 1);
    const a = segments.reserve(n);
    let i = 0;
    for (const l of lines) {
      let prev: { x: number; y: number } | undefined;
      for (const [lon, lat] of l.coords) {
        const p = mercatorFromLngLat(lon, lat);
        if (prev) {
          a[i++] = prev.x - this.origin.x;
          a[i++] = prev.y - this.origin.y;
          a[i++] = p.x - this.origin.x;
          a[i++] = p.y - this.origin.y;
          a[i++] = l.selected ? 1 : 0;
        }
        prev = p;
      }
    }
    segments.filled(i / TRAIL_STRIDE);
    this.repaint();
  }

  /** Replaces what is drawn (the caller throttles); repaints once. */
  setUnits(points: UnitPoint[]): void {
    this.points = points;
    this.rebuild();
  }

  setSelection(selected: string | undefined, highlighted: Iterable<string>): void {
    this.selected = selected;
    this.highlighted = new Set(highlighted);
    this.rebuild();
  }

  /** Called after each rebuild of what is drawn (the cluster labels listen). Returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  /** Units drawn on their own, in or near the view. */
  drawn(): DrawnUnit[] {
    return this.drawnUnits.map(({ id, icon, s, lon, lat }) => ({ id, icon, s, lon, lat }));
  }

  clusters(): DrawnCluster[] {
    return this.drawnClusters.map(({ key, count, alarming, lon, lat }) => ({ key, count, alarming, lon, lat }));
  }

  /** What is under a point on the canvas (px), nearest first: a unit's icon, else a cluster disc. */
  hitTest(x: number, y: number, pad = 4): UnitHit | null {
    const map = this.map;
    if (!map) return null;
    const ll = map.unproject([x, y]);
    return hitTest(mercatorFromLngLat(ll.lng, ll.lat), { units: this.drawnUnits, clusters: this.drawnClusters }, { zoom: map.getZoom(), clusterMaxZoom: this.opts.clusterMaxZoom, pad });
  }

  prerender(gl: GL): void {
    this.trail.segments.upload(gl);
    if (this.instances.upload(gl)) this.pendingDrawn = true;
  }

  render(gl: GL, args: CustomRenderMethodInput): void {
    this.draw(gl, args.defaultProjectionData.mainMatrix as unknown as ArrayLike<number>);
  }

  /** Draws the instances with `m`, the map's matrix from mercator [0..1] to clip space. */
  private draw(gl: GL, m: ArrayLike<number>): void {
    const map = this.map;
    const segments = this.trail.segments.count;
    if (!map || !this.program || (this.instances.count === 0 && segments === 0)) return;
    // m × translate(origin), in double precision, then to float32: the instances' offsets
    // from the origin are small, so a unit is placed to the pixel at any zoom
    const ox = this.origin.x;
    const oy = this.origin.y;
    const matrix = new Float32Array(16);
    for (let i = 0; i < 16; i++) matrix[i] = m[i]!;
    for (let r = 0; r < 4; r++) matrix[12 + r] = m[r]! * ox + m[4 + r]! * oy + m[12 + r]!;
    const ratio = gl.drawingBufferWidth / Math.max(1, map.getCanvas().clientWidth || gl.drawingBufferWidth);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    const t = this.trail;
    if (segments > 0 && t.program) {
      gl.useProgram(t.program);
      gl.uniformMatrix4fv(t.uniforms.u_matrix!, false, matrix);
      gl.uniform2f(t.uniforms.u_viewport!, gl.drawingBufferWidth, gl.drawingBufferHeight);
      gl.uniform1f(t.uniforms.u_ratio!, ratio);
      bindVao(gl, t.vao);
      drawQuads(gl, segments);
      bindVao(gl, null);
    }
    gl.useProgram(this.program);
    gl.uniformMatrix4fv(this.uniforms.u_matrix!, false, matrix);
    gl.uniform2f(this.uniforms.u_viewport!, gl.drawingBufferWidth, gl.drawingBufferHeight);
    gl.uniform1f(this.uniforms.u_icon_px!, ICON_SIZE * iconScale(map.getZoom()) * ratio);
    gl.uniform1f(this.uniforms.u_ratio!, ratio);
    gl.uniform1f(this.uniforms.u_bearing!, (map.getBearing() * Math.PI) / 180);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.atlas);
    gl.uniform1i(this.uniforms.u_atlas!, 0);
    bindVao(gl, this.vao);
    drawQuads(gl, this.instances.count);
    bindVao(gl, null);
    if (this.pendingDrawn) {
      this.pendingDrawn = false;
      this.onDrawn?.();
    }
  }

  private repaint(): void {
    if (this.overlay) this.scheduleOverlay();
    else this.map?.triggerRepaint();
  }

  // ---- building the instances ----

  private clusterLevel(): number {
    return this.map ? Math.floor(this.map.getZoom()) : 0;
  }

  /** Refills the instance array from the points, clustered at the current zoom level. */
  private rebuild(): void {
    const map = this.map;
    if (!map) return;
    const level = this.clusterLevel();
    this.clusterZoom = level;
    const b = map.getBounds();
    const { units, clusters } = gridCluster(this.points, { level, bounds: { west: b.getWest(), east: b.getEast(), south: b.getSouth(), north: b.getNorth() } }, this.opts);
    const rings = units.filter((u) => u.id === this.selected || this.highlighted.has(u.id));
    const a = this.instances.reserve(clusters.length + rings.length * 2 + units.length);
    let i = 0;
    const put = (x: number, y: number, angle: number, kind: number, cellIndex: number, radius: number) => {
      a[i++] = x - this.origin.x;
      a[i++] = y - this.origin.y;
      a[i++] = angle;
      a[i++] = kind;
      a[i++] = cellIndex;
      a[i++] = radius;
    };
    for (const c of clusters) put(c.x, c.y, 0, c.alarming > 0 ? KIND_CLUSTER_ALARMING : KIND_CLUSTER, 0, clusterDiscRadius(c.count));
    for (const u of rings) {
      if (this.highlighted.has(u.id)) put(u.x, u.y, 0, KIND_HIGHLIGHT, 0, 20);
      if (u.id === this.selected) put(u.x, u.y, 0, KIND_SELECTED, 0, 18);
    }
    for (const u of units) put(u.x, u.y, (u.heading * Math.PI) / 180, KIND_ICON, ICON_ATLAS.cell(u.type, u.s), 0);
    this.instances.filled(i / UNIT_STRIDE);
    this.drawnUnits = units;
    this.drawnClusters = clusters;
    this.repaint();
    for (const fn of this.changeListeners) fn();
  }
}
