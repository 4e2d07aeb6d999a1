// Every unit in one MapLibre custom WebGL layer: one instanced draw of textured quads (icon by
// type and status colour, turned to heading), cluster discs, highlight and selection rings.
// Positions live in one Float32Array, refilled in place at most once per update (about once a
// second for a big fleet) and uploaded with one bufferSubData: no GeoJSON, no worker, no
// re-tiling, no symbol placement. Pans and zooms only redraw the same buffer with a new matrix.
// Clustering is a grid on the main thread at the map's whole zoom level, computed with the
// update (not per frame), up to clusterMaxZoom and past it while the view is crowded. Hit-testing and the clusters' labels read the same arrays.
// Two ways to draw: inside MapLibre's frame (a custom layer, ordered with the other layers), or
// on a canvas of its own over the map's (attachOverlay), so that a unit update does not repaint
// the whole map; the overlay is the default (see UnitsLayer).
import { MercatorCoordinate, type CustomLayerInterface, type CustomRenderMethodInput, type Map as MapLibreMap } from 'maplibre-gl';
import type { UnitType } from '@hub/config';
import type { UnitStatusKind } from '../live/types';
import { iconAtlas, ICON_SIZE, STATUSES, UNIT_TYPES } from './icons';

/** What the layer draws of one unit. */
export interface UnitPoint {
  id: string;
  type: UnitType;
  status: UnitStatusKind;
  /** degrees clockwise from north */
  heading: number;
  /** on the basemap (already shifted for GCJ-02) */
  lon: number;
  lat: number;
}

/** A unit drawn on its own (not in a cluster), as tests and the trails read it. */
export interface DrawnUnit {
  id: string;
  icon: string;
  s: UnitStatusKind;
  lon: number;
  lat: number;
}

export interface DrawnCluster {
  key: string;
  count: number;
  alarming: number;
  lon: number;
  lat: number;
}

export type UnitHit = { kind: 'unit'; unitId: string } | { kind: 'cluster'; cluster: DrawnCluster; expandToZoom: number };

export interface UnitsGlOptions {
  /** clusters up to this zoom (inclusive); default 13 */
  clusterMaxZoom: number;
  /** a cluster cell's size on screen, px; default 48 */
  clusterRadius: number;
  /**
   * past clusterMaxZoom, still cluster while more units than this are in and around the view:
   * a grid cell draws one disc or icon, so what is drawn stays bounded however dense the fleet
   * (each icon is ~900 px to fill, the cost on a software renderer); default 3,000
   */
  maxUnitsInView?: number;
}

// instance: x, y (mercator, relative to the origin), angle (rad), kind, atlas cell, radius (px)
const STRIDE = 6;
const KIND_ICON = 0;
const KIND_CLUSTER = 1;
const KIND_CLUSTER_ALARMING = 2;
const KIND_HIGHLIGHT = 3;
const KIND_SELECTED = 4;

const VERTEX = `
precision highp float;
attribute vec2 a_corner;
attribute vec2 a_pos;
attribute vec4 a_data; // angle, kind, cell, radius
uniform mat4 u_matrix;
uniform vec2 u_viewport;
uniform float u_icon_px;
uniform float u_bearing;
uniform float u_ratio;
varying vec2 v_uv;
varying vec2 v_px;
varying float v_kind;
varying float v_radius;
void main() {
  float kind = a_data.y;
  vec4 centre = u_matrix * vec4(a_pos, 0.0, 1.0);
  float edge = kind < 0.5 ? u_icon_px : (2.0 * a_data.w + 6.0) * u_ratio;
  vec2 px = a_corner * edge;
  if (kind < 0.5) {
    float a = a_data.x - u_bearing;
    px = vec2(px.x * cos(a) - px.y * sin(a), px.x * sin(a) + px.y * cos(a));
  }
  v_px = a_corner * edge;
  v_uv = vec2((a_data.z + a_corner.x + 0.5) / ${8}.0, a_corner.y + 0.5);
  v_kind = kind;
  v_radius = a_data.w * u_ratio;
  gl_Position = centre + vec4(px.x * 2.0 / u_viewport.x, -px.y * 2.0 / u_viewport.y, 0.0, 0.0) * centre.w;
}`;

const FRAGMENT = `
precision mediump float;
uniform sampler2D u_atlas;
varying vec2 v_uv;
varying vec2 v_px;
varying float v_kind;
varying float v_radius;
vec4 disc(vec4 fill, vec4 stroke, float width) {
  float d = length(v_px);
  float inner = 1.0 - smoothstep(v_radius - width / 2.0 - 0.5, v_radius - width / 2.0 + 0.5, d);
  float outer = 1.0 - smoothstep(v_radius + width / 2.0 - 0.5, v_radius + width / 2.0 + 0.5, d);
  vec4 c = mix(stroke * outer, fill, inner);
  return vec4(c.rgb * c.a, c.a);
}
void main() {
  if (v_kind < 0.5) {
    gl_FragColor = texture2D(u_atlas, v_uv);
  } else if (v_kind < 1.5) {
    gl_FragColor = disc(vec4(0.184, 0.435, 0.690, 0.85), vec4(0.839, 0.894, 0.961, 1.0), 1.5);
  } else if (v_kind < 2.5) {
    gl_FragColor = disc(vec4(1.0, 0.231, 0.188, 0.85), vec4(0.839, 0.894, 0.961, 1.0), 1.5);
  } else if (v_kind < 3.5) {
    gl_FragColor = disc(vec4(1.0, 0.839, 0.039, 0.35), vec4(1.0, 0.839, 0.039, 1.0), 2.0);
  } else {
    gl_FragColor = disc(vec4(0.0), vec4(1.0), 3.0);
  }
}`;

// trails: one instance per segment, a quad of the line's width between its two points
const TRAIL_STRIDE = 5;
const TRAIL_VERTEX = `
precision highp float;
attribute vec2 a_corner; // along (0..1), side (-1, 1)
attribute vec2 a_p0;
attribute vec2 a_p1;
attribute float a_selected;
uniform mat4 u_matrix;
uniform vec2 u_viewport;
uniform float u_ratio;
varying float v_selected;
void main() {
  vec4 c0 = u_matrix * vec4(a_p0, 0.0, 1.0);
  vec4 c1 = u_matrix * vec4(a_p1, 0.0, 1.0);
  vec2 half_vp = u_viewport * 0.5;
  vec2 s0 = c0.xy / c0.w * half_vp;
  vec2 s1 = c1.xy / c1.w * half_vp;
  vec2 d = s1 - s0;
  float len = length(d);
  vec2 dir = len > 0.0001 ? d / len : vec2(1.0, 0.0);
  float width = (a_selected > 0.5 ? 3.0 : 2.0) * u_ratio;
  vec2 s = mix(s0, s1, a_corner.x) + vec2(-dir.y, dir.x) * a_corner.y * width * 0.5;
  gl_Position = vec4(s / half_vp, 0.0, 1.0);
  v_selected = a_selected;
}`;
const TRAIL_FRAGMENT = `
precision mediump float;
varying float v_selected;
void main() {
  // white for the selected unit, light blue for others, at 0.75 opacity (premultiplied)
  gl_FragColor = v_selected > 0.5 ? vec4(0.75) : vec4(0.498, 0.820, 1.0, 1.0) * 0.75;
}`;

/** A trail to draw: points on the basemap ([lon, lat], already shifted), oldest first. */
export interface TrailLine {
  coords: [number, number][];
  selected: boolean;
}

/** The cluster disc's radius by its count (as the symbol layer's step expression had it). */
function clusterRadius(count: number): number {
  return count < 10 ? 12 : count < 100 ? 16 : count < 1000 ? 21 : 27;
}

/** Icon scale by zoom: 0.7 at zoom 10 to 1.1 at zoom 16. */
function iconScale(zoom: number): number {
  return Math.min(1.1, Math.max(0.7, 0.7 + ((zoom - 10) / 6) * 0.4));
}

const layers = new WeakMap<MapLibreMap, UnitsGlLayer>();

/** The units layer of a map, for the trails, the cluster labels and test hooks. */
export function unitsLayerOf(map: MapLibreMap): UnitsGlLayer | undefined {
  return layers.get(map);
}

type GL = WebGLRenderingContext | WebGL2RenderingContext;

export class UnitsGlLayer implements CustomLayerInterface {
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;
  private map: MapLibreMap | undefined;
  private gl: GL | undefined;
  private program: WebGLProgram | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private instanceBuffer: WebGLBuffer | null = null;
  private cornerBuffer: WebGLBuffer | null = null;
  private atlas: WebGLTexture | null = null;
  private uniforms: Record<string, WebGLUniformLocation | null> = {};
  private trail = { program: null as WebGLProgram | null, vao: null as WebGLVertexArrayObject | null, buffer: null as WebGLBuffer | null, corners: null as WebGLBuffer | null, uniforms: {} as Record<string, WebGLUniformLocation | null>, data: new Float32Array(TRAIL_STRIDE * 256), count: 0, version: 0, uploaded: -1, capacity: 0 };
  private instances = new Float32Array(STRIDE * 1024);
  private count = 0;
  private uploaded = -1;
  private version = 0;
  private capacity = 0;
  private origin = { x: 0, y: 0 };
  /** per icon instance: its unit; per cluster instance: its cluster */
  private drawnUnits: (DrawnUnit & { x: number; y: number })[] = [];
  private drawnClusters: (DrawnCluster & { x: number; y: number })[] = [];
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

  constructor(
    readonly id: string,
    private readonly opts: UnitsGlOptions,
  ) {}

  onAdd(map: MapLibreMap, gl: GL): void {
    this.map = map;
    this.gl = gl;
    layers.set(map, this);
    const c = map.getCenter();
    const o = MercatorCoordinate.fromLngLat(c);
    this.origin = { x: o.x, y: o.y };
    this.initGl(gl);
    map.on('moveend', this.onMoveEnd);
    this.rebuild();
  }

  /** The program, buffers and icon texture (again after a lost context is restored). */
  private initGl(gl: GL): void {
    const compile = (type: number, src: string) => {
      const s = gl.createShader(type)!;
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`units layer shader: ${gl.getShaderInfoLog(s)}`);
      return s;
    };
    const t = this.trail;
    const trailProgram = gl.createProgram()!;
    gl.attachShader(trailProgram, compile(gl.VERTEX_SHADER, TRAIL_VERTEX));
    gl.attachShader(trailProgram, compile(gl.FRAGMENT_SHADER, TRAIL_FRAGMENT));
    ['a_corner', 'a_p0', 'a_p1', 'a_selected'].forEach((name, i) => gl.bindAttribLocation(trailProgram, i, name));
    gl.linkProgram(trailProgram);
    if (!gl.getProgramParameter(trailProgram, gl.LINK_STATUS)) throw new Error(`trails program: ${gl.getProgramInfoLog(trailProgram)}`);
    t.program = trailProgram;
    for (const name of ['u_matrix', 'u_viewport', 'u_ratio']) t.uniforms[name] = gl.getUniformLocation(trailProgram, name);
    t.corners = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, t.corners);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([0, -1, 0, 1, 1, -1, 1, 1]), gl.STATIC_DRAW);
    t.buffer = gl.createBuffer();
    t.vao = this.withVao(gl, () => {
      gl.bindBuffer(gl.ARRAY_BUFFER, t.corners);
      gl.enableVertexAttribArray(0);
      gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, t.buffer);
      gl.enableVertexAttribArray(1);
      gl.vertexAttribPointer(1, 2, gl.FLOAT, false, TRAIL_STRIDE * 4, 0);
      gl.enableVertexAttribArray(2);
      gl.vertexAttribPointer(2, 2, gl.FLOAT, false, TRAIL_STRIDE * 4, 8);
      gl.enableVertexAttribArray(3);
      gl.vertexAttribPointer(3, 1, gl.FLOAT, false, TRAIL_STRIDE * 4, 16);
      for (const i of [1, 2, 3]) this.divisor(gl, i, 1);
    });
    t.uploaded = -1;
    t.capacity = 0;

    const program = gl.createProgram()!;
    gl.attachShader(program, compile(gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, compile(gl.FRAGMENT_SHADER, FRAGMENT));
    gl.bindAttribLocation(program, 0, 'a_corner');
    gl.bindAttribLocation(program, 1, 'a_pos');
    gl.bindAttribLocation(program, 2, 'a_data');
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`units layer program: ${gl.getProgramInfoLog(program)}`);
    this.program = program;
    for (const name of ['u_matrix', 'u_viewport', 'u_icon_px', 'u_bearing', 'u_ratio', 'u_atlas']) this.uniforms[name] = gl.getUniformLocation(program, name);

    this.cornerBuffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, this.cornerBuffer);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, 0.5]), gl.STATIC_DRAW);
    this.instanceBuffer = gl.createBuffer();

    const atlas = iconAtlas(Math.max(1, Math.min(2, window.devicePixelRatio || 1)));
    this.atlas = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, this.atlas);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, true);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, atlas);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);

    this.vao = this.withVao(gl, () => {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.cornerBuffer);
      gl.enableVertexAttribArray(0);
      gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.instanceBuffer);
      gl.enableVertexAttribArray(1);
      gl.vertexAttribPointer(1, 2, gl.FLOAT, false, STRIDE * 4, 0);
      gl.enableVertexAttribArray(2);
      gl.vertexAttribPointer(2, 4, gl.FLOAT, false, STRIDE * 4, 8);
      this.divisor(gl, 1, 1);
      this.divisor(gl, 2, 1);
    });
    this.uploaded = -1;
    this.capacity = 0;
  }

  onRemove(map: MapLibreMap, gl: GL): void {
    if (this.overlay && gl !== this.overlay.gl) return;
    map.off('moveend', this.onMoveEnd);
    if (layers.get(map) === this) layers.delete(map);
    gl.deleteBuffer(this.instanceBuffer);
    gl.deleteBuffer(this.cornerBuffer);
    gl.deleteTexture(this.atlas);
    gl.deleteProgram(this.program);
    gl.deleteProgram(this.trail.program);
    gl.deleteBuffer(this.trail.buffer);
    gl.deleteBuffer(this.trail.corners);
    if ('deleteVertexArray' in gl) gl.deleteVertexArray(this.trail.vao);
    else gl.getExtension('OES_vertex_array_object')?.deleteVertexArrayOES(this.trail.vao);
    if ('deleteVertexArray' in gl) gl.deleteVertexArray(this.vao);
    else gl.getExtension('OES_vertex_array_object')?.deleteVertexArrayOES(this.vao);
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
    const t = this.trail;
    let segments = 0;
    for (const l of lines) segments += Math.max(0, l.coords.length - 1);
    if (t.data.length < segments * TRAIL_STRIDE) t.data = new Float32Array(Math.ceil(segments * 1.25) * TRAIL_STRIDE);
    const a = t.data;
    let i = 0;
    for (const l of lines) {
      let prev: { x: number; y: number } | undefined;
      for (const c of l.coords) {
        const p = MercatorCoordinate.fromLngLat(c);
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
    t.count = i / TRAIL_STRIDE;
    t.version++;
    if (this.overlay) this.scheduleOverlay();
    else this.map?.triggerRepaint();
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
    const m = MercatorCoordinate.fromLngLat(ll);
    const worldSize = 512 * Math.pow(2, map.getZoom());
    const iconHalf = (ICON_SIZE * iconScale(map.getZoom())) / 2 + pad;
    let best: UnitHit | null = null;
    let bestD = Infinity;
    for (const u of this.drawnUnits) {
      const d = Math.hypot(u.x - m.x, u.y - m.y) * worldSize;
      if (d <= iconHalf && d < bestD) {
        bestD = d;
        best = { kind: 'unit', unitId: u.id };
      }
    }
    if (best) return best;
    for (const c of this.drawnClusters) {
      const d = Math.hypot(c.x - m.x, c.y - m.y) * worldSize;
      if (d <= clusterRadius(c.count) + pad && d < bestD) {
        bestD = d;
        best = { kind: 'cluster', cluster: { key: c.key, count: c.count, alarming: c.alarming, lon: c.lon, lat: c.lat }, expandToZoom: this.clusterLevel() < this.opts.clusterMaxZoom ? Math.min(this.opts.clusterMaxZoom + 1, this.clusterLevel() + 2) : this.clusterLevel() + 2 };
      }
    }
    return best;
  }

  prerender(gl: GL): void {
    const t = this.trail;
    if (t.uploaded !== t.version && t.buffer) {
      gl.bindBuffer(gl.ARRAY_BUFFER, t.buffer);
      if (t.count * TRAIL_STRIDE * 4 > t.capacity) {
        t.capacity = t.data.byteLength;
        gl.bufferData(gl.ARRAY_BUFFER, t.data, gl.DYNAMIC_DRAW);
      } else if (t.count > 0) {
        gl.bufferSubData(gl.ARRAY_BUFFER, 0, t.data.subarray(0, t.count * TRAIL_STRIDE));
      }
      t.uploaded = t.version;
    }
    if (this.uploaded === this.version || !this.instanceBuffer) return;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.instanceBuffer);
    const bytes = this.count * STRIDE * 4;
    if (bytes > this.capacity) {
      this.capacity = this.instances.byteLength;
      gl.bufferData(gl.ARRAY_BUFFER, this.instances, gl.DYNAMIC_DRAW);
    } else if (bytes > 0) {
      gl.bufferSubData(gl.ARRAY_BUFFER, 0, this.instances.subarray(0, this.count * STRIDE));
    }
    this.uploaded = this.version;
    this.pendingDrawn = true;
  }

  private pendingDrawn = false;

  render(gl: GL, args: CustomRenderMethodInput): void {
    this.draw(gl, args.defaultProjectionData.mainMatrix as unknown as ArrayLike<number>);
  }

  /** Draws the instances with `m`, the map's matrix from mercator [0..1] to clip space. */
  private draw(gl: GL, m: ArrayLike<number>): void {
    const map = this.map;
    if (!map || !this.program || (this.count === 0 && this.trail.count === 0)) return;
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
    if (t.count > 0 && t.program) {
      gl.useProgram(t.program);
      gl.uniformMatrix4fv(t.uniforms.u_matrix!, false, matrix);
      gl.uniform2f(t.uniforms.u_viewport!, gl.drawingBufferWidth, gl.drawingBufferHeight);
      gl.uniform1f(t.uniforms.u_ratio!, ratio);
      this.bindVao(gl, t.vao);
      this.drawInstanced(gl, t.count);
      this.bindVao(gl, null);
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
    this.bindVao(gl, this.vao);
    this.drawInstanced(gl, this.count);
    this.bindVao(gl, null);
    if (this.pendingDrawn) {
      this.pendingDrawn = false;
      this.onDrawn?.();
    }
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
    let cluster = level <= this.opts.clusterMaxZoom;
    if (!cluster) {
      // crowded view: count the units in and around it
      const b = map.getBounds();
      const padLon = (b.getEast() - b.getWest()) * 0.25;
      const padLat = (b.getNorth() - b.getSouth()) * 0.25;
      const [w, e, so, n] = [b.getWest() - padLon, b.getEast() + padLon, b.getSouth() - padLat, b.getNorth() + padLat];
      const cap = this.opts.maxUnitsInView ?? 3000;
      let inView = 0;
      for (const p of this.points) if (p.lon >= w && p.lon <= e && p.lat >= so && p.lat <= n && ++inView > cap) break;
      cluster = inView > cap;
    }
    const worldSize = 512 * Math.pow(2, level);
    const cell = this.opts.clusterRadius / worldSize;
    const units: (DrawnUnit & { x: number; y: number; heading: number; type: UnitType })[] = [];
    const clusters: (DrawnCluster & { x: number; y: number })[] = [];
    if (cluster) {
      // one pass: cells of clusterRadius px at this zoom level; a cell holding one unit draws the unit
      const cells = new Map<number, { n: number; alarming: number; sx: number; sy: number; first: UnitPoint; fx: number; fy: number }>();
      for (const p of this.points) {
        const { x, y } = MercatorCoordinate.fromLngLat([p.lon, p.lat]);
        const key = Math.floor(x / cell) * 4_194_304 + Math.floor(y / cell);
        const c = cells.get(key);
        if (c) {
          c.n++;
          c.sx += x;
          c.sy += y;
          if (p.status === 'alarming') c.alarming++;
        } else cells.set(key, { n: 1, alarming: p.status === 'alarming' ? 1 : 0, sx: x, sy: y, first: p, fx: x, fy: y });
      }
      for (const [key, c] of cells) {
        if (c.n === 1) {
          const p = c.first;
          units.push({ id: p.id, icon: `unit-${p.type}-${p.status}`, s: p.status, lon: p.lon, lat: p.lat, x: c.fx, y: c.fy, heading: p.heading, type: p.type });
        } else {
          const x = c.sx / c.n;
          const y = c.sy / c.n;
          const ll = new MercatorCoordinate(x, y).toLngLat();
          clusters.push({ key: `${level}:${key}`, count: c.n, alarming: c.alarming, lon: ll.lng, lat: ll.lat, x, y });
        }
      }
    } else {
      for (const p of this.points) {
        const { x, y } = MercatorCoordinate.fromLngLat([p.lon, p.lat]);
        units.push({ id: p.id, icon: `unit-${p.type}-${p.status}`, s: p.status, lon: p.lon, lat: p.lat, x, y, heading: p.heading, type: p.type });
      }
    }
    const rings = units.filter((u) => u.id === this.selected || this.highlighted.has(u.id));
    const total = clusters.length + rings.length * 2 + units.length;
    if (this.instances.length < total * STRIDE) this.instances = new Float32Array(Math.ceil(total * 1.25) * STRIDE);
    const a = this.instances;
    let i = 0;
    const put = (x: number, y: number, angle: number, kind: number, cellIndex: number, radius: number) => {
      a[i++] = x - this.origin.x;
      a[i++] = y - this.origin.y;
      a[i++] = angle;
      a[i++] = kind;
      a[i++] = cellIndex;
      a[i++] = radius;
    };
    for (const c of clusters) put(c.x, c.y, 0, c.alarming > 0 ? KIND_CLUSTER_ALARMING : KIND_CLUSTER, 0, clusterRadius(c.count));
    for (const u of rings) {
      if (this.highlighted.has(u.id)) put(u.x, u.y, 0, KIND_HIGHLIGHT, 0, 20);
      if (u.id === this.selected) put(u.x, u.y, 0, KIND_SELECTED, 0, 18);
    }
    for (const u of units) put(u.x, u.y, (u.heading * Math.PI) / 180, KIND_ICON, atlasCell(u.type, u.s), 0);
    this.count = i / STRIDE;
    this.drawnUnits = units;
    this.drawnClusters = clusters;
    this.version++;
    if (this.overlay) this.scheduleOverlay();
    else map.triggerRepaint();
    for (const fn of this.changeListeners) fn();
  }

  // ---- WebGL1/2 differences ----

  private withVao(gl: GL, setup: () => void): WebGLVertexArrayObject | null {
    const vao = 'createVertexArray' in gl ? gl.createVertexArray() : (gl.getExtension('OES_vertex_array_object')?.createVertexArrayOES() ?? null);
    this.bindVao(gl, vao);
    setup();
    this.bindVao(gl, null);
    return vao;
  }

  private bindVao(gl: GL, vao: WebGLVertexArrayObject | null): void {
    if ('bindVertexArray' in gl) gl.bindVertexArray(vao);
    else gl.getExtension('OES_vertex_array_object')?.bindVertexArrayOES(vao);
  }

  private divisor(gl: GL, index: number, d: number): void {
    if ('vertexAttribDivisor' in gl) gl.vertexAttribDivisor(index, d);
    else gl.getExtension('ANGLE_instanced_arrays')?.vertexAttribDivisorANGLE(index, d);
  }

  private drawInstanced(gl: GL, n: number): void {
    if ('drawArraysInstanced' in gl) gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, 4, n);
    else gl.getExtension('ANGLE_instanced_arrays')?.drawArraysInstancedANGLE(gl.TRIANGLE_STRIP, 0, 4, n);
  }
}

const TYPES = UNIT_TYPES;
const STATUS_ORDER = STATUSES;

/** The atlas cell of a type × status icon (the order iconAtlas draws them in). */
export function atlasCell(type: UnitType, status: UnitStatusKind): number {
  return Math.max(0, TYPES.indexOf(type)) * STATUS_ORDER.length + Math.max(0, STATUS_ORDER.indexOf(status));
}
