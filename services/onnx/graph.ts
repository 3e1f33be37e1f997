/**
 * A checkpoint's U-Net as an ONNX graph, written from the TF.js layers topology and weights the project
 * file stores (no TensorFlow.js here: export runs in the main process).
 *
 * The topology is walked layer by layer, so any stem, width and depth converts (the layers trainer/model.ts
 * builds: Conv2D, BatchNormalization, ReLU, MaxPooling2D, Dropout, Conv2DTranspose, Concatenate). The graph
 * is NCHW, as ONNX's operators are: input `image` float32 [N, 3, H, W] already normalised, output `logits`
 * float32 [N, C, H, W] (the first output of the model; the reconstruction head, a training aid, is left
 * out). Layout changes on the way:
 * - Conv2D kernels [kh, kw, in, out] -> Conv weights [out, in, kh, kw];
 * - Conv2DTranspose kernels [kh, kw, out, in] -> ConvTranspose weights [in, out, kh, kw];
 * - 'same' padding of a stride-1 convolution -> explicit pads, (k - 1) / 2 before and the rest after, as
 *   TensorFlow pads; 'same' with a stride -> auto_pad SAME_UPPER (TensorFlow's rule: the extra pixel after);
 * - batch norm in inference form with the layer's own epsilon (Keras: 1e-3, not ONNX's 1e-5);
 * - Concatenate on the channel axis (-1 in NHWC) -> axis 1; Dropout is the identity at inference.
 */
import * as onnxModule from 'onnx-proto';

// CommonJS without static named exports: under Node's ESM loader the namespace arrives as `default`.
const { onnx } = (onnxModule as { default?: typeof onnxModule }).default ?? onnxModule;

/** ONNX IR version 7 and opset 13: read by onnxruntime and by every onnx checker since 1.8. */
const IR_VERSION = 7;
const OPSET = 13;

interface WeightSpecLike {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface OnnxSource {
  /** TF.js layers-format topology (model.json's `modelTopology`). */
  modelTopology: unknown;
  weightSpecs: readonly WeightSpecLike[];
  /** The concatenated weight data, laid out as `weightSpecs`. */
  weights: Uint8Array;
  /** Key-value metadata of the model (ONNX `metadata_props`). */
  metadata: Readonly<Record<string, string>>;
  /** Written as the model's doc string. */
  description?: string;
}

interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: [string, number, number, unknown][][];
}

/** A tensor in NHWC (TF.js) layout, by name and shape. */
interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** The weights by name ("layer/kernel"), float32, as the specs lay them out. */
function readWeights(specs: readonly WeightSpecLike[], bytes: Uint8Array): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  let offset = 0;
  for (const s of specs) {
    if (s.dtype !== 'float32' || s.quantization)
      throw new Error(`weight ${s.name} is ${s.dtype}${s.quantization ? ' (quantized)' : ''}: only float32 converts`);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (offset + n * 4 > bytes.byteLength) throw new Error(`the weight data ends inside ${s.name}`);
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + n * 4));
    out.set(s.name, { shape: s.shape, data });
    offset += n * 4;
  }
  return out;
}

/** `t` with its axes permuted: result axis i is source axis perm[i]. */
function transpose(t: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => t.shape[p]!);
  const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const data = new Float32Array(t.data.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < shape.length; i++) src += index[i]! * strides[perm[i]!]!;
    data[o] = t.data[src]!;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++index[i]! < shape[i]!) break;
      index[i] = 0;
    }
  }
  return { shape, data };
}

const pair = (v: unknown, what: string): [number, number] => {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((x) => Number.isInteger(x))) throw new Error(`${what} ${JSON.stringify(v)}`);
  return a as [number, number];
};

const attr = {
  ints: (name: string, ints: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints }),
  int: (name: string, i: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i }),
  float: (name: string, f: number) => ({ name, type: onnx.AttributeProto.AttributeType.FLOAT, f }),
  string: (name: string, s: string) => ({
    name,
    type: onnx.AttributeProto.AttributeType.STRING,
    s: new TextEncoder().encode(s),
  }),
};

/** The model's input size rule: height and width must be multiples of the product of its down-samplings. */
export function inputMultiple(modelTopology: unknown): number {
  let multiple = 1;
  for (const l of topologyLayers(modelTopology)) {
    if (l.class_name === 'MaxPooling2D') multiple *= pair(l.config['strides'] ?? l.config['pool_size'], 'strides')[0];
    if (l.class_name === 'Conv2D') multiple *= pair(l.config['strides'] ?? 1, 'strides')[0];
  }
  return multiple;
}

function topologyLayers(modelTopology: unknown): KerasLayer[] {
  const t = modelTopology as {
    config?: { layers?: KerasLayer[] };
    model_config?: { config?: { layers?: KerasLayer[] } };
  };
  const layers = t.config?.layers ?? t.model_config?.config?.layers;
  if (!Array.isArray(layers)) throw new Error('the checkpoint has no layers topology');
  return layers;
}

function outputLayer(modelTopology: unknown): string {
  const t = modelTopology as { config?: { output_layers?: [string, number, number][] } };
  const first = t.config?.output_layers?.[0]?.[0];
  if (typeof first !== 'string') throw new Error('the checkpoint topology names no output layer');
  return first;
}

/** The ONNX model bytes (ModelProto) of `source`; throws one line for a layer it cannot convert. */
export function buildOnnxModel(source: OnnxSource): Uint8Array {
  const weights = readWeights(source.weightSpecs, source.weights);
  const initializers: ReturnType<typeof onnx.TensorProto.create>[] = [];
  const nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  /** ONNX tensor name of each layer's output (Dropout forwards its input's). */
  const outputOf = new Map<string, string>();
  let input: string | null = null;

  const weight = (layer: string, key: string): Tensor => {
    const w = weights.get(`${layer}/${key}`);
    if (!w) throw new Error(`weight ${layer}/${key} is missing from the checkpoint`);
    return w;
  };
  const initializer = (name: string, t: Tensor): string => {
    initializers.push(
      onnx.TensorProto.create({
        name,
        dims: t.shape,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      }),
    );
    return name;
  };
  const filled = (n: number, v: number): Tensor => ({ shape: [n], data: new Float32Array(n).fill(v) });

  for (const layer of topologyLayers(source.modelTopology)) {
    const { name, class_name: kind, config } = layer;
    const inputs = (layer.inbound_nodes[0] ?? []).map(([from]) => {
      const t = outputOf.get(from);
      if (t === undefined) throw new Error(`layer ${name} reads ${from}, which comes later or not at all`);
      return t;
    });
    const node = (opType: string, extra: string[], attribute: object[] = []) => {
      nodes.push(
        onnx.NodeProto.create({ name, opType, input: [...inputs, ...extra], output: [`${name}/out`], attribute }),
      );
      outputOf.set(name, `${name}/out`);
    };
    if (kind === 'InputLayer') {
      if (input) throw new Error('the model has more than one input');
      input = name;
      outputOf.set(name, 'image');
    } else if (kind === 'Conv2D' || kind === 'Conv2DTranspose') {
      if ((config['activation'] ?? 'linear') !== 'linear')
        throw new Error(`${name}: fused activation ${String(config['activation'])}`);
      const k = pair(config['kernel_size'], `${name} kernel_size`);
      const s = pair(config['strides'] ?? 1, `${name} strides`);
      const d = pair(config['dilation_rate'] ?? 1, `${name} dilation_rate`);
      // Both kernels are [kh, kw, a, b] -> [b, a, kh, kw]: (in, out) for Conv2D, (out, in) for the transpose.
      const kernel = weight(name, 'kernel');
      const extra = [initializer(`${name}.weight`, transpose(kernel, [3, 2, 0, 1]))];
      if (config['use_bias']) extra.push(initializer(`${name}.bias`, weight(name, 'bias')));
      const attributes: object[] = [attr.ints('kernel_shape', k), attr.ints('strides', s), attr.ints('dilations', d)];
      const padding = config['padding'];
      if (padding === 'same') {
        if (s[0] === 1 && s[1] === 1) {
          const total = k.map((n, i) => (n - 1) * d[i]!);
          attributes.push(
            attr.ints('pads', [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))]),
          );
        } else attributes.push(attr.string('auto_pad', 'SAME_UPPER'));
      } else if (padding !== 'valid') throw new Error(`${name}: padding ${String(padding)}`);
      node(kind === 'Conv2D' ? 'Conv' : 'ConvTranspose', extra, attributes);
    } else if (kind === 'BatchNormalization') {
      const channels = weight(name, 'moving_mean').shape[0]!;
      const axis = config['axis'];
      if (axis !== -1 && axis !== 3 && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))
        throw new Error(`${name}: batch norm over axis ${JSON.stringify(axis)}`);
      node(
        'BatchNormalization',
        [
          initializer(`${name}.scale`, config['scale'] === false ? filled(channels, 1) : weight(name, 'gamma')),
          initializer(`${name}.bias`, config['center'] === false ? filled(channels, 0) : weight(name, 'beta')),
          initializer(`${name}.mean`, weight(name, 'moving_mean')),
          initializer(`${name}.var`, weight(name, 'moving_variance')),
        ],
        [attr.float('epsilon', Number(config['epsilon'] ?? 1e-3))],
      );
    } else if (kind === 'ReLU' || (kind === 'Activation' && config['activation'] === 'relu')) {
      if (config['max_value'] != null) throw new Error(`${name}: ReLU with a maximum`);
      node('Relu', []);
    } else if (kind === 'MaxPooling2D') {
      if ((config['padding'] ?? 'valid') !== 'valid')
        throw new Error(`${name}: pooling padding ${String(config['padding'])}`);
      const p = pair(config['pool_size'], `${name} pool_size`);
      node(
        'MaxPool',
        [],
        [attr.ints('kernel_shape', p), attr.ints('strides', pair(config['strides'] ?? p, `${name} strides`))],
      );
    } else if (kind === 'Dropout') {
      outputOf.set(name, inputs[0]!);
    } else if (kind === 'Concatenate') {
      if (config['axis'] !== -1 && config['axis'] !== 3)
        throw new Error(`${name}: concatenation on axis ${String(config['axis'])}`);
      node('Concat', [], [attr.int('axis', 1)]);
    } else {
      throw new Error(`layer ${name} (${kind}) has no ONNX conversion`);
    }
  }
  if (!input) throw new Error('the model has no input layer');
  const logits = outputOf.get(outputLayer(source.modelTopology));
  if (!logits) throw new Error('the output layer is not in the topology');
  // The output gets its public name through an Identity (the last layer's name is an internal detail).
  nodes.push(onnx.NodeProto.create({ name: 'output', opType: 'Identity', input: [logits], output: ['logits'] }));
  const dim = (dimParam: string) => ({ dimParam });
  const valueInfo = (name: string, channels: number) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: { dim: [dim('batch'), { dimValue: channels }, dim('height'), dim('width')] },
        },
      },
    });
  const classes = weights.get(`${outputLayer(source.modelTopology)}/bias`)?.shape[0];
  if (classes === undefined) throw new Error('the output layer has no bias to tell the class count');
  const graph = onnx.GraphProto.create({
    name: 'maskwright_unet',
    node: nodes,
    initializer: initializers,
    input: [valueInfo('image', 3)],
    output: [valueInfo('logits', classes)],
  });
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'Maskwright',
    docString: source.description ?? '',
    graph,
    metadataProps: Object.entries(source.metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
