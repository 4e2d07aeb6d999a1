// The units layer's shaders: units (icons turned to heading, cluster discs, highlight and
// selection rings) as instanced quads, and trails as one quad per segment. Each instance's
// layout is the STRIDE floats its comment lists; `kind` picks how the fragment shader paints.
import { ICON_ATLAS } from './icon-atlas';

// instance: x, y (mercator, relative to the origin), angle (rad), kind, atlas cell, radius (px)
export const UNIT_STRIDE = 6;
export const KIND_ICON = 0;
export const KIND_CLUSTER = 1;
export const KIND_CLUSTER_ALARMING = 2;
export const KIND_HIGHLIGHT = 3;
export const KIND_SELECTED = 4;

/** The units' vertex shader for an icon atlas of `columns` cells in one row (icon-atlas.ts). */
export function unitsVertexShader(columns: number): string {
  return `
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
const float ATLAS_COLUMNS = ${columns.toFixed(1)};
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
  v_uv = vec2((a_data.z + a_corner.x + 0.5) / ATLAS_COLUMNS, a_corner.y + 0.5);
  v_kind = kind;
  v_radius = a_data.w * u_ratio;
  gl_Position = centre + vec4(px.x * 2.0 / u_viewport.x, -px.y * 2.0 / u_viewport.y, 0.0, 0.0) * centre.w;
}`;
}
export const UNITS_VERTEX = unitsVertexShader(ICON_ATLAS.columns);

export const UNITS_FRAGMENT = `
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
export const TRAIL_STRIDE = 5;
export const TRAIL_VERTEX = `
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
export const TRAIL_FRAGMENT = `
precision mediump float;
varying float v_selected;
void main() {
  // white for the selected unit, light blue for others, at 0.75 opacity (premultiplied)
  gl_FragColor = v_selected > 0.5 ? vec4(0.75) : vec4(0.498, 0.820, 1.0, 1.0) * 0.75;
}`;
