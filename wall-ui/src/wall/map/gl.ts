// Small WebGL helpers for the units layer: programs, instance buffers, the icon texture, and
// the WebGL1/WebGL2 differences (VAOs and instancing are extensions in WebGL1:
// OES_vertex_array_object, ANGLE_instanced_arrays).

export type GL = WebGLRenderingContext | WebGL2RenderingContext;

function compile(gl: GL, type: number, src: string, what: string): WebGLShader {
  const s = gl.createShader(type)!;
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`${what} shader: ${gl.getShaderInfoLog(s)}`);
  return s;
}

/** A linked program; `attributes` are bound to locations 0, 1, 2… in order. */
export function linkProgram(gl: GL, vertex: string, fragment: string, attributes: readonly string[], what: string): WebGLProgram {
  const program = gl.createProgram()!;
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, vertex, what));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, fragment, what));
  attributes.forEach((name, i) => gl.bindAttribLocation(program, i, name));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`${what} program: ${gl.getProgramInfoLog(program)}`);
  return program;
}

export function uniformLocations<N extends string>(gl: GL, program: WebGLProgram, names: readonly N[]): Record<N, WebGLUniformLocation | null> {
  const out = {} as Record<N, WebGLUniformLocation | null>;
  for (const name of names) out[name] = gl.getUniformLocation(program, name);
  return out;
}

/** A buffer filled once (a quad's corners). */
export function staticBuffer(gl: GL, data: Float32Array): WebGLBuffer | null {
  const b = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, b);
  gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
  return b;
}

/** A texture from a canvas, alpha premultiplied (the layer blends ONE, ONE_MINUS_SRC_ALPHA). */
export function canvasTexture(gl: GL, canvas: HTMLCanvasElement): WebGLTexture | null {
  const tex = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, tex);
  gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, true);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, gl.RGBA, gl.UNSIGNED_BYTE, canvas);
  gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  return tex;
}

/**
 * Per-instance floats filled on the CPU and uploaded when they changed: one bufferSubData per
 * change, a new bufferData only when the array grew (by a quarter more than asked, so a
 * growing fleet does not reallocate every update).
 */
export class InstanceData {
  data: Float32Array;
  /** instances filled */
  count = 0;
  buffer: WebGLBuffer | null = null;
  private version = 0;
  private uploaded = -1;
  private capacity = 0;

  constructor(
    readonly stride: number,
    initialInstances: number,
  ) {
    this.data = new Float32Array(stride * initialInstances);
  }

  /** Room for `n` instances (what was filled is dropped if the array grows). */
  reserve(n: number): Float32Array {
    if (this.data.length < n * this.stride) this.data = new Float32Array(Math.ceil(n * 1.25) * this.stride);
    return this.data;
  }

  /** After a refill: `count` instances are to be drawn. */
  filled(count: number): void {
    this.count = count;
    this.version++;
  }

  /** A new GL buffer (at start, after a lost context): everything is uploaded again. */
  attach(buffer: WebGLBuffer | null): void {
    this.buffer = buffer;
    this.uploaded = -1;
    this.capacity = 0;
  }

  /** Uploads what changed since the last upload; true when there was a change. */
  upload(gl: GL): boolean {
    if (this.uploaded === this.version || !this.buffer) return false;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
    const bytes = this.count * this.stride * 4;
    if (bytes > this.capacity) {
      this.capacity = this.data.byteLength;
      gl.bufferData(gl.ARRAY_BUFFER, this.data, gl.DYNAMIC_DRAW);
    } else if (bytes > 0) {
      gl.bufferSubData(gl.ARRAY_BUFFER, 0, this.data.subarray(0, this.count * this.stride));
    }
    this.uploaded = this.version;
    return true;
  }
}

export function bindVao(gl: GL, vao: WebGLVertexArrayObject | null): void {
  if ('bindVertexArray' in gl) gl.bindVertexArray(vao);
  else gl.getExtension('OES_vertex_array_object')?.bindVertexArrayOES(vao);
}

/** A vertex array object holding what `setup` binds. */
export function createVao(gl: GL, setup: () => void): WebGLVertexArrayObject | null {
  const vao = 'createVertexArray' in gl ? gl.createVertexArray() : (gl.getExtension('OES_vertex_array_object')?.createVertexArrayOES() ?? null);
  bindVao(gl, vao);
  setup();
  bindVao(gl, null);
  return vao;
}

export function deleteVao(gl: GL, vao: WebGLVertexArrayObject | null): void {
  if ('deleteVertexArray' in gl) gl.deleteVertexArray(vao);
  else gl.getExtension('OES_vertex_array_object')?.deleteVertexArrayOES(vao);
}

/** A float attribute at `index`: `size` floats at `offset` bytes in each `stride`-byte record. */
export function floatAttribute(gl: GL, index: number, size: number, stride = 0, offset = 0): void {
  gl.enableVertexAttribArray(index);
  gl.vertexAttribPointer(index, size, gl.FLOAT, false, stride, offset);
}

/** The attribute advances once per instance rather than per vertex. */
export function perInstance(gl: GL, index: number): void {
  if ('vertexAttribDivisor' in gl) gl.vertexAttribDivisor(index, 1);
  else gl.getExtension('ANGLE_instanced_arrays')?.vertexAttribDivisorANGLE(index, 1);
}

/** `n` instances of a 4-vertex triangle strip (a quad). */
export function drawQuads(gl: GL, n: number): void {
  if ('drawArraysInstanced' in gl) gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, 4, n);
  else gl.getExtension('ANGLE_instanced_arrays')?.drawArraysInstancedANGLE(gl.TRIANGLE_STRIP, 0, 4, n);
}
