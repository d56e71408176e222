package org.neurite.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neurite.autograd.GradMode;
import org.neurite.nn.Module;
import org.neurite.onnx.proto.OnnxProto.GraphProto;
import org.neurite.onnx.proto.OnnxProto.ModelProto;
import org.neurite.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.neurite.onnx.proto.OnnxProto.TensorProto;
import org.neurite.onnx.proto.OnnxProto.TensorShapeProto;
import org.neurite.onnx.proto.OnnxProto.TypeProto;
import org.neurite.onnx.proto.OnnxProto.ValueInfoProto;
import org.neurite.tensor.Rng;
import org.neurite.tensor.Shape;
import org.neurite.tensor.Tensor;
import org.neurite.tensor.Workspace;

/**
 * An imported ONNX graph as a trainable Neurite {@link Module}. Float initializers that nodes read as
 * data (weights, biases, normalisation scales) are parameters, named after the initializer
 * ({@code conv1.weight} as is; characters other than letters, digits, '_' and '.' become '_');
 * BatchNormalization's running statistics are buffers; every other initializer is a constant.
 * {@link #forward} (one input, first output) and {@link #run} (named inputs and outputs) interpret the
 * graph node by node with Neurite's ops, so gradients reach the parameters and the model trains with
 * {@code compile}/{@code fit} or a hand-written loop. Training mode switches BatchNormalization to batch
 * statistics and turns Dropout on, as for Neurite's own layers.
 *
 * <p>At load time the nodes are sorted (a cycle is an error), each node's attributes are checked
 * (an unsupported operator, attribute or opset is an error naming the node), subgraphs that depend only
 * on constants are computed once, and Conv→BatchNormalization→Relu/Clip chains become one step that,
 * in evaluation without a gradient, folds the normalisation into the convolution.
 *
 * <p>Values are float32 inside Neurite: integer inputs (token ids) are passed as whole numbers in
 * float tensors, exact up to 2^24. Not thread-safe (like every Module): run one batch at a time.
 */
public final class OnnxModel extends Module {
  /**
   * A graph input: its name, element type and declared dimensions.
   *
   * @param name the input's name in the graph
   * @param type the ONNX element type, upper case as in the TensorProto enum: {@code "FLOAT"}, {@code "INT64"}, ...
   * @param dims the declared dimensions, -1 where symbolic or unknown (the array is shared, not copied)
   */
  public record Input(String name, String type, long[] dims) {}

  private final ModelProto skeleton;          // the model without initializer data, for saving
  private final int opset;
  private final String source;
  private final List<Input> inputs;
  private final List<String> outputs;
  private final int[] inputIds, outputIds;
  private final Tensor[] template;
  private final Step[] steps;
  private final Map<String, String> stateNames;   // ONNX initializer name to parameter or buffer name
  private final Map<String, DType> initTypes;
  private final Map<String, Integer> valueIds;
  private final Rng rng = new Rng(0x5eed0);
  private final Op.Exec exec = new Op.Exec() {
    @Override
    public boolean training() {
      return isTraining();
    }

    @Override
    public Rng rng() {
      return rng;
    }

    @Override
    public long version() {
      return version;
    }

    @Override
    public float[] buffer(int n) {
      return GradMode.enabled() ? new float[n] : Workspace.floats(n);
    }
  };
  private long version;

  /**
   * Inference runs in a scope of this thread's workspace: {@link Op.Exec#buffer} and the core ops draw
   * their arrays from it, dead values go back to it as soon as no later step reads them, and the outputs
   * are kept. One workspace per thread, since runs may be concurrent.
   */
  private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
  /** Whether inference recycles dead values' arrays (system property neurite.onnx.recycle, default true). */
  private static final boolean RECYCLE = !"false".equals(System.getProperty("neurite.onnx.recycle"));

  /**
   * Hands the storage of a value that just died back to the workspace, unless another live value, a
   * constant, a parameter or a caller's input shares it (a view, an Identity): only arrays nothing can
   * read again are recycled (and only those the run's scope lent).
   */
  private void recycle(Tensor dead, Tensor[] env, Map<String, Tensor> feeds) {
    if (dead == null) return;
    float[] a = dead.storage();
    if (!Workspace.isLent(a)) return;
    for (Tensor t : env) if (t != null && t.storage() == a) return;
    for (Tensor t : template) if (t != null && t.storage() == a) return;
    for (Tensor t : feeds.values()) if (t.storage() == a) return;
    Workspace.recycle(a);
  }

  /** One node to run; {@code broadcasts}: its output takes the broadcast shape of its inputs (checked before it runs). */
  private record Step(Node node, Op op, int[] in, int[] out, int[] free, boolean broadcasts) {
    Step(Node node, Op op, int[] in, int[] out, int[] free) {
      this(node, op, in, out, free, BROADCASTING.contains(node.opType) && !node.has("axis"));
    }
  }

  private OnnxModel(Builder b) {
    this.skeleton = b.skeleton;
    this.opset = b.opset;
    this.source = b.source;
    this.inputs = List.copyOf(b.inputs);
    this.outputs = List.copyOf(b.outputs);
    this.inputIds = b.inputIds;
    this.outputIds = b.outputIds;
    this.template = b.template;
    this.steps = b.steps.toArray(new Step[0]);
    this.stateNames = Collections.unmodifiableMap(b.stateNames);
    this.initTypes = b.initTypes;
    this.valueIds = b.ids;
    for (var e : b.params.entrySet()) param(e.getKey(), e.getValue());
    for (var e : b.buffers.entrySet()) buffer(e.getKey(), e.getValue());
    // Built (Module.isBuilt) when the graph declares static per-sample shapes for its one input and first output.
    this.declaredOutput = perSample(b.outputDims);
    int[] in = inputs.size() == 1 ? perSample(inputs.get(0).dims()) : null;
    if (in != null && declaredOutput != null) buildFor(in);
  }

  private final int[] declaredOutput;

  /** Dims without the batch axis, or null unless all are known. */
  private static int[] perSample(long[] d) {
    if (d == null || d.length < 1) return null;
    int[] per = new int[d.length - 1];
    for (int i = 1; i < d.length; i++) {
      if (d[i] <= 0 || d[i] > Integer.MAX_VALUE) return null;
      per[i - 1] = (int) d[i];
    }
    return per;
  }

  @Override
  public Module train(boolean on) {
    version++;
    return super.train(on);
  }

  @Override
  public void loadStateDict(Map<String, Tensor> state) {
    version++;
    super.loadStateDict(state);
  }

  /** The declared per-sample output shape (shapes are not inferred here: the graph computes them as it runs). */
  @Override
  protected int[] build(int[] in) {
    return declaredOutput.clone();
  }

  // ---------------------------------------------------------------- running

  /** Runs the only input through the graph and returns the first output. */
  @Override
  public Tensor forward(Tensor x) {
    if (inputs.size() != 1)
      throw new IllegalArgumentException(this + ": the graph has " + inputs.size() + " inputs " + inputNames()
          + "; call run(Map) with one tensor per input");
    return run(Map.of(inputs.get(0).name(), x)).get(outputs.get(0));
  }

  /**
   * Runs the graph on named inputs and returns every graph output by name, in the graph's order.
   * Integer inputs (token ids, masks) are float tensors holding whole numbers.
   *
   * @param feeds a tensor for each graph input, by name (extra names are an error)
   * @return every graph output by name, in the graph's order
   * @throws IllegalArgumentException if an input is missing or of the wrong rank, or a name is not an input
   */
  public Map<String, Tensor> run(Map<String, Tensor> feeds) {
    if (GradMode.enabled()) version++;   // a backward and an optimizer step may follow: derived weights go stale
    Tensor[] env = template.clone();
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      Tensor t = feeds.get(in.name());
      if (t == null)
        throw new IllegalArgumentException(this + ": input \"" + in.name() + "\" is missing; the graph's inputs are " + inputNames());
      if (in.dims().length != t.rank() && in.dims().length > 0)
        throw new IllegalArgumentException(this + ": input \"" + in.name() + "\" should have rank " + in.dims().length + " "
            + dimsString(in.dims()) + ", got " + Shape.str(t.shape()));
      env[inputIds[i]] = t;
    }
    for (String k : feeds.keySet())
      if (inputs.stream().noneMatch(in -> in.name().equals(k)))
        throw new IllegalArgumentException(this + ": \"" + k + "\" is not an input of the graph; its inputs are " + inputNames());
    if (!RECYCLE || GradMode.enabled()) return execute(env, feeds);
    try (var scope = workspaces.get().enter("ONNX run")) {
      Map<String, Tensor> result = execute(env, feeds);
      result.values().forEach(scope::keep);
      return result;
    }
  }

  private Map<String, Tensor> execute(Tensor[] env, Map<String, Tensor> feeds) {
    for (Step s : steps) {
      Tensor[] args = new Tensor[s.in.length];
      for (int k = 0; k < args.length; k++) args[k] = s.in[k] < 0 ? null : env[s.in[k]];
      Tensor[] out;
      long t0 = PROFILE ? System.nanoTime() : 0, c0 = PROFILE ? THREAD_CPU.getCurrentThreadCpuTime() : 0;
      try {
        if (s.broadcasts) checkBroadcast(s.node, args);
        out = s.op.run(args, exec);
      } catch (IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException | ArithmeticException e) {
        String m = String.valueOf(e.getMessage());
        if (m.startsWith(s.node.where())) throw e instanceof IllegalArgumentException iae ? iae : new IllegalArgumentException(m, e);
        throw new IllegalArgumentException(s.node.where() + ": " + m, e);
      }
      if (PROFILE) profile(s, System.nanoTime() - t0, THREAD_CPU.getCurrentThreadCpuTime() - c0);
      for (int k = 0; k < s.out.length; k++) {
        if (s.out[k] < 0) continue;
        if (k >= out.length || out[k] == null)
          throw new IllegalArgumentException(s.node.where() + ": output " + k + " (\"" + s.node.outputs[k] + "\") is not computed by Neurite");
        env[s.out[k]] = out[k];
      }
      boolean recycling = RECYCLE && !GradMode.enabled();   // then run() opened a workspace scope
      for (int id : s.free) {
        Tensor dead = env[id];
        env[id] = null;
        if (recycling) recycle(dead, env, feeds);
      }
    }
    Map<String, Tensor> result = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) result.put(outputs.get(i), env[outputIds[i]]);
    return result;
  }

  /** Time per step, summed by operator (system property neurite.onnx.profile=true; printed by {@link #profile()}). */
  private static final boolean PROFILE = Boolean.getBoolean("neurite.onnx.profile");
  private final Map<String, long[]> profile = new java.util.TreeMap<>();

  private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();

  private void profile(Step s, long ns, long cpu) {
    String key = s.node.opType + (s.op instanceof NnOps.ConvOp c ? c.kind() : "");
    long[] v = profile.computeIfAbsent(key, k -> new long[3]);
    v[0] += ns;
    v[1]++;
    v[2] += cpu;
  }

  /**
   * With -Dneurite.onnx.profile=true: per operator since the last call (then reset), the wall-clock
   * milliseconds, the calling thread's CPU milliseconds (all of the work with one thread) and the calls.
   *
   * @return one line per operator, slowest first; empty when profiling is off
   */
  public String profile() {
    StringBuilder sb = new StringBuilder();
    profile.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(e ->
        sb.append(String.format(java.util.Locale.ROOT, "%-28s %9.1f ms wall %9.1f ms cpu %6d calls%n", e.getKey(),
            e.getValue()[0] / 1e6, e.getValue()[2] / 1e6, e.getValue()[1])));
    profile.clear();
    return sb.toString();
  }

  /** The most bytes one tensor that a node creates from a shape (ConstantOfShape, Expand, Pad...) may take. */
  static long maxTensorBytes() {
    return Math.min(4 * TensorCodec.MAX_ELEMENTS, Runtime.getRuntime().maxMemory() / 2);
  }

  /** Elementwise operators whose output takes the broadcast shape of all their inputs. */
  private static final Set<String> BROADCASTING = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Mod", "Equal", "Less",
      "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Where", "Sum", "Mean", "Max", "Min", "BitShift");

  /**
   * Refuses a broadcast whose output the heap cannot hold, before any op allocates it: a 200-byte graph
   * can broadcast [N, 1] against [1, N] into N^2 floats.
   */
  private static void checkBroadcast(Node node, Tensor[] args) {
    // Every run of every such node passes here: count the output's elements without allocating, and build
    // the shape and the message only for an output of 16 MiB or more (or shapes that do not broadcast).
    int rank = 0;
    for (Tensor t : args) if (t != null) rank = Math.max(rank, t.rank());
    long n = 1;
    for (int k = 1; k <= rank; k++) {
      int d = 1;
      for (Tensor t : args) {
        if (t == null || t.rank() < k) continue;
        int dk = t.shape(t.rank() - k);
        if (dk != 1) d = d == 1 || d == dk ? dk : -1;
      }
      if (d < 0) n = Long.MAX_VALUE;   // not broadcastable: Shape.broadcast below says so
      else n = n > (Long.MAX_VALUE >> 1) / Math.max(1, d) ? Long.MAX_VALUE : n * d;
    }
    if (n < 1 << 22) return;
    int[] shape = new int[0];
    for (Tensor t : args) if (t != null) shape = Shape.broadcast(node.opType, shape, t.shape());
    checkAlloc(node.where(), shape);
  }

  /** Throws before allocating a tensor of {@code shape} that cannot fit (a hostile or broken graph). */
  static void checkAlloc(String what, int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) throw new IllegalArgumentException(what + ": negative dimension in " + Shape.str(shape));
      n = d == 0 ? 0 : (n > Long.MAX_VALUE / 4 / Math.max(1, d) ? Long.MAX_VALUE / 4 : n * d);
    }
    if (n > TensorCodec.MAX_ELEMENTS || 4 * n > maxTensorBytes())
      throw new IllegalArgumentException(what + ": a tensor of shape " + Shape.str(shape) + " (" + n + " elements) would need "
          + (4 * n >> 20) + " MiB, more than this JVM allows one tensor (" + (maxTensorBytes() >> 20) + " MiB)");
    if (n >= 1 << 22) org.neurite.io.Heap.requireArray(what + ": a tensor of shape " + Shape.str(shape), 4 * n);   // 16 MiB and up
  }

  // ---------------------------------------------------------------- description

  /** {@return the graph inputs that are not initializers, in the graph's order} */
  public List<Input> inputs() {
    return inputs;
  }

  /** {@return the names of {@link #inputs()}} */
  public List<String> inputNames() {
    return inputs.stream().map(Input::name).toList();
  }

  /** {@return the graph outputs' names, in the graph's order} */
  public List<String> outputNames() {
    return outputs;
  }

  /** {@return the opset of the default ONNX domain the file declared} */
  public int opset() {
    return opset;
  }

  /** {@return ONNX initializer name to this model's parameter or buffer name (for those that are not constants)} */
  public Map<String, String> stateNames() {
    return stateNames;
  }

  /** {@return the number of graph steps run per forward pass (after folding constants and fusing)} */
  public int stepCount() {
    return steps.length;
  }

  @Override
  public String toString() {
    return "OnnxModel(" + source + ")";
  }

  private static String dimsString(long[] d) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < d.length; i++) sb.append(i > 0 ? ", " : "").append(d[i] < 0 ? "?" : String.valueOf(d[i]));
    return sb.append(']').toString();
  }

  // ---------------------------------------------------------------- saving

  /**
   * This model as an ONNX ModelProto with the current weights (trained parameters, running statistics
   * and constants) as initializers; {@code external} maps initializer names to external-data entries
   * (location, offset, length) to write instead of inline data.
   */
  ModelProto toProto(Map<String, long[]> externalOffsets, String externalFile) {
    ModelProto.Builder m = skeleton.toBuilder();
    GraphProto.Builder g = m.getGraphBuilder();
    g.clearInitializer();
    for (var e : initTypes.entrySet()) {
      String name = e.getKey();
      Tensor t = template[valueIds.get(name)];
      long[] ext = externalOffsets == null ? null : externalOffsets.get(name);
      if (ext != null) {
        TensorProto.Builder tb = TensorProto.newBuilder().setName(name).setDataType(DType.FLOAT.code)
            .setDataLocation(TensorProto.DataLocation.EXTERNAL);
        for (int d : t.shape()) tb.addDims(d);
        tb.addExternalDataBuilder().setKey("location").setValue(externalFile);
        tb.addExternalDataBuilder().setKey("offset").setValue(Long.toString(ext[0]));
        tb.addExternalDataBuilder().setKey("length").setValue(Long.toString(ext[1]));
        g.addInitializer(tb);
      } else {
        g.addInitializer(TensorCodec.encode(name, t, e.getValue()));
      }
    }
    return m.build();
  }

  /**
   * Writes this model, with its current weights, as a self-contained .onnx file.
   *
   * @param file the {@code .onnx} file to write, atomically
   * @throws IOException if the file cannot be written
   */
  public void saveOnnx(Path file) throws IOException {
    org.neurite.io.AtomicFiles.write(file, toProto(null, null).toByteArray());
  }

  /**
   * Saves this model as a Neurite model directory (what {@code neurite convert} writes): config.json,
   * model.safetensors with the parameters and buffers by name, and model.onnx, whose trained
   * initializers are external data inside model.safetensors. Written to a temporary sibling directory
   * and renamed into place, so a crash leaves the old directory or the new one.
   *
   * @param dir the model directory to write (replaced if it exists)
   * @throws IOException if a file cannot be written
   */
  public void save(Path dir) throws IOException {
    // The one versioned writer of model directories: config.json, model.safetensors, then model.onnx,
    // whose external data points into the safetensors file just written.
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var root = json.createObjectNode();
    root.put("class", "OnnxModel").put("graph", Onnx.GRAPH).put("opset", opset).put("source", source);
    var ins = root.putArray("inputs");
    for (Input in : inputs) {
      var o = ins.addObject().put("name", in.name()).put("type", in.type());
      var d = o.putArray("dims");
      for (long v : in.dims()) d.add(v);
    }
    var outs = root.putArray("outputs");
    outputs.forEach(outs::add);
    org.neurite.io.ModelFiles.write(dir, root, stateDict(), tmp -> {
      Map<String, long[]> where = safetensorsOffsets(tmp.resolve(Onnx.WEIGHTS));
      Map<String, long[]> external = new LinkedHashMap<>();
      for (var e : stateNames.entrySet()) if (where.containsKey(e.getValue())) external.put(e.getKey(), where.get(e.getValue()));
      org.neurite.io.AtomicFiles.write(tmp.resolve(Onnx.GRAPH), toProto(external, Onnx.WEIGHTS).toByteArray());
    });
  }

  /** Name to [file offset, byte length] of each tensor in a safetensors file (its JSON header). */
  static Map<String, long[]> safetensorsOffsets(Path file) throws IOException {
    try (var ch = java.nio.channels.FileChannel.open(file)) {
      var len = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      long headerLen = len.flip().getLong();
      if (headerLen < 2 || headerLen > ch.size() - 8) throw new IOException(file + ": bad safetensors header length " + headerLen);
      var header = java.nio.ByteBuffer.allocate((int) headerLen);
      ch.read(header, 8);
      var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new String(header.array(),
          java.nio.charset.StandardCharsets.UTF_8));
      Map<String, long[]> out = new LinkedHashMap<>();
      for (var it = root.fields(); it.hasNext(); ) {
        var e = it.next();
        if (e.getKey().equals("__metadata__")) continue;
        var off = e.getValue().path("data_offsets");
        long b = off.get(0).asLong(), end = off.get(1).asLong();
        out.put(e.getKey(), new long[] {8 + headerLen + b, end - b});
      }
      return out;
    }
  }

  // ---------------------------------------------------------------- loading

  /** Builds the model from a parsed file; {@code dir} is where external data may be read from. */
  static OnnxModel build(ModelProto m, Path dir, String source) throws OnnxException {
    return new OnnxModel(new Builder(m, dir, source).build());
  }

  private static final class Builder {
    final ModelProto model;
    final Path dir;
    final String source;
    ModelProto skeleton;
    int opset;
    final List<Input> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();
    long[] outputDims;
    int[] inputIds, outputIds;
    Tensor[] template;
    final List<Step> steps = new ArrayList<>();
    final Map<String, Integer> ids = new HashMap<>();
    final Map<String, Tensor> params = new LinkedHashMap<>(), buffers = new LinkedHashMap<>();
    final Map<String, String> stateNames = new LinkedHashMap<>();
    final Map<String, DType> initTypes = new LinkedHashMap<>();
    final Map<Integer, Tensor> constants = new HashMap<>();
    final Map<Integer, DType> types = new HashMap<>();

    Builder(ModelProto m, Path dir, String source) {
      this.model = m;
      this.dir = dir;
      this.source = source;
    }

    OnnxException error(String what) {
      return new OnnxException(source + ": " + what);
    }

    int id(String name) {
      return ids.computeIfAbsent(name, k -> ids.size());
    }

    Builder build() throws OnnxException {
      if (!model.hasGraph()) throw error("not an ONNX model: it has no graph (is the file truncated, or not ONNX?)");
      if (model.getIrVersion() < 3)
        throw error("IR version " + model.getIrVersion() + " is not supported (Neurite reads IR 3 and later, opsets "
            + Ops.MIN_OPSET + " to " + Ops.MAX_OPSET + ")");
      opset = -1;
      for (OperatorSetIdProto o : model.getOpsetImportList())
        if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = (int) Math.min(Integer.MAX_VALUE, o.getVersion());
      if (opset < 0) throw error("the model imports no opset of the default ONNX domain");
      if (opset < Ops.MIN_OPSET || opset > Ops.MAX_OPSET)
        throw error("opset " + opset + " is not supported (Neurite reads opsets " + Ops.MIN_OPSET + " to " + Ops.MAX_OPSET + ")");
      GraphProto g = model.getGraph();
      if (g.getSparseInitializerCount() > 0) throw error("sparse initializers are not supported");
      ModelProto.Builder sk = model.toBuilder();
      sk.getGraphBuilder().clearInitializer();
      skeleton = sk.build();

      // Initializers.
      Map<String, TensorCodec.Decoded> inits = new LinkedHashMap<>();
      for (TensorProto t : g.getInitializerList()) {
        String name = t.getName();
        if (name.isEmpty()) throw error("an initializer has no name");
        if (inits.containsKey(name)) throw error("initializer \"" + name + "\" is defined twice");
        inits.put(name, TensorCodec.decode(t, dir, source + ": initializer \"" + name + "\""));
      }
      // Graph inputs (IR < 4 lists initializers among the inputs too).
      Set<String> defined = new HashSet<>(inits.keySet());
      for (ValueInfoProto v : g.getInputList()) {
        if (inits.containsKey(v.getName())) continue;
        if (!defined.add(v.getName())) throw error("graph input \"" + v.getName() + "\" is declared twice");
        inputs.add(input(v));
      }
      // Nodes, sorted so that every value is produced before it is read.
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < g.getNodeCount(); i++) nodes.add(new Node(i, g.getNode(i)));
      Map<String, Node> producer = new HashMap<>();
      for (Node n : nodes)
        for (String o : n.outputs) {
          if (o.isEmpty()) continue;
          if (defined.contains(o) || producer.containsKey(o))
            throw error(n.where() + ": output \"" + o + "\" is already defined " + (producer.containsKey(o)
                ? "by " + producer.get(o).where() : "as a graph input or initializer"));
          producer.put(o, n);
        }
      List<Node> order = sort(nodes, producer, defined);
      for (var o : g.getOutputList()) {
        if (!defined.contains(o.getName()) && !producer.containsKey(o.getName()))
          throw error("graph output \"" + o.getName() + "\" is not produced by any node");
        outputs.add(o.getName());
        if (outputDims == null && o.hasType() && o.getType().hasTensorType()) outputDims = input(o).dims();
      }
      // Who reads each value (graph outputs count as readers that keep it).
      Map<String, List<int[]>> readers = new HashMap<>();
      Map<Integer, Node> byIndex = new HashMap<>();
      for (Node n : nodes) {
        byIndex.put(n.index, n);
        for (int k = 0; k < n.inputs.length; k++)
          if (!n.inputs[k].isEmpty()) readers.computeIfAbsent(n.inputs[k], x -> new ArrayList<>()).add(new int[] {n.index, k});
      }
      Set<String> graphOutputs = new HashSet<>(outputs);

      // Parameters, buffers and constants.
      Set<String> usedNames = new HashSet<>();
      for (var e : inits.entrySet()) {
        String name = e.getKey();
        TensorCodec.Decoded d = e.getValue();
        int vid = id(name);
        types.put(vid, d.type());
        initTypes.put(name, d.type());
        boolean isFloat = !d.type().integral;
        boolean state = false, data = false;
        for (int[] r : readers.getOrDefault(name, List.of())) {
          String op = byIndex.get(r[0]).opType;
          state |= Ops.stateInput(op, r[1]);
          data |= Ops.dataInput(op, r[1]);
        }
        if (isFloat && state) {
          String s = unique(sanitize(name), usedNames);
          buffers.put(s, d.tensor());
          stateNames.put(name, s);
        } else if (isFloat && data) {
          String s = unique(sanitize(name), usedNames);
          params.put(s, d.tensor());
          stateNames.put(name, s);
        } else {
          constants.put(vid, d.tensor());
        }
      }
      inputIds = new int[inputs.size()];
      for (int i = 0; i < inputs.size(); i++) {
        inputIds[i] = id(inputs.get(i).name());
        DType t = DType.valueOf(inputs.get(i).type());
        types.put(inputIds[i], t);
      }

      // Prepare, fold and fuse, in order.
      Set<Integer> absorbed = new HashSet<>();
      for (Node n : order) {
        if (absorbed.contains(n.index)) continue;
        Node[] chain = FUSE && n.opType.equals("Conv") && n.domain.isEmpty() ? convChain(n, readers, byIndex, graphOutputs) : null;
        Node addAct = FUSE && chain == null && n.opType.equals("Add") && n.domain.isEmpty() && n.inputs.length == 2
            ? soleReader(n, readers, byIndex, graphOutputs) : null;
        if (addAct != null && !(addAct.domain.isEmpty() && addAct.input(0).equals(n.outputs[0]) && foldableActivation(addAct)))
          addAct = null;
        Node last = n;
        String[] stepInputs = n.inputs;
        Op op;
        Ctx c;
        if (chain != null && (chain[1] != null || chain[2] != null)) {
          c = ctx(n);
          NnOps.BnSpec bn = null;
          NnOps.Act act = null;
          List<String> ins = new ArrayList<>(List.of(n.inputs));
          while (ins.size() < 3) ins.add("");
          if (chain[1] != null) {
            Node b = chain[1];
            b.allow("epsilon", "momentum", "spatial", "training_mode");
            if (b.i("spatial", 1) != 1) throw error(b.where() + ": spatial=0 is not supported");
            bn = new NnOps.BnSpec(b, b.f("epsilon", 1e-5f), b.f("momentum", 0.9f));
            for (int k = 1; k <= 4; k++) ins.add(b.input(k));
            absorbed.add(b.index);
            last = b;
          }
          if (chain[2] != null) {
            act = activation(chain[2]);
            absorbed.add(chain[2].index);
            last = chain[2];
          }
          op = NnOps.conv(c, bn, act);
          stepInputs = ins.toArray(new String[0]);
        } else if (addAct != null) {
          c = ctx(n);
          op = NnOps.addActivation(c, activation(addAct));
          absorbed.add(addAct.index);
          last = addAct;
        } else {
          c = ctx(n);
          Ops.Maker maker = Ops.maker(n.opType);
          if (maker == null) throw error(unsupported(n));
          try {
            op = maker.make(c);
          } catch (IllegalArgumentException ex) {
            throw error(n.where() + ": " + ex.getMessage());
          }
        }
        // Output types: the chain's last node keeps the conv's input type.
        String[] outs = last == n ? n.outputs : new String[] {last.outputs[0]};   // a fused chain yields its last output
        for (int k = 0; k < outs.length; k++)
          if (!outs[k].isEmpty()) types.put(id(outs[k]), k < c.outTypes.length ? c.outTypes[k] : DType.FLOAT);
        int[] in = new int[stepInputs.length];
        boolean allConst = Ops.foldable(n.opType) && last == n;
        for (int k = 0; k < in.length; k++) {
          in[k] = stepInputs[k].isEmpty() ? -1 : id(stepInputs[k]);
          if (in[k] >= 0 && !constants.containsKey(in[k])) allConst = false;
        }
        int[] out = new int[outs.length];
        for (int k = 0; k < outs.length; k++) {
          boolean read = readers.containsKey(outs[k]) || graphOutputs.contains(outs[k]);
          out[k] = outs[k].isEmpty() || (k > 0 && !read) ? -1 : id(outs[k]);   // optional outputs nobody reads are not kept
        }
        if (allConst) {
          fold(n, op, in, out);
        } else {
          steps.add(new Step(n, op, in, out, new int[0]));
        }
      }

      // Graph outputs, and the template of values every run starts from.
      outputIds = new int[outputs.size()];
      for (int i = 0; i < outputs.size(); i++) outputIds[i] = id(outputs.get(i));
      template = new Tensor[ids.size()];
      constants.forEach((k, v) -> template[k] = v);
      for (var e : stateNames.entrySet()) {
        Tensor t = params.containsKey(e.getValue()) ? params.get(e.getValue()) : buffers.get(e.getValue());
        template[ids.get(e.getKey())] = t;
      }
      freeDeadValues();
      return this;
    }

    private Ctx ctx(Node n) {
      DType[] inTypes = new DType[n.inputs.length];
      Tensor[] consts = new Tensor[n.inputs.length];
      for (int k = 0; k < n.inputs.length; k++) {
        if (n.inputs[k].isEmpty()) continue;
        int vid = id(n.inputs[k]);
        inTypes[k] = types.get(vid);
        consts[k] = constants.get(vid);
      }
      return new Ctx(n, opset, inTypes, consts);
    }

    private void fold(Node n, Op op, int[] in, int[] out) throws OnnxException {
      Tensor[] args = new Tensor[in.length];
      for (int k = 0; k < in.length; k++) args[k] = in[k] < 0 ? null : constants.get(in[k]);
      Tensor[] res;
      try (var off = GradMode.off()) {
        res = op.run(args, EVAL);
      } catch (RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        throw error(m.startsWith(n.where()) ? m : n.where() + ": " + m);
      }
      for (int k = 0; k < out.length; k++) {
        if (out[k] < 0) continue;
        if (k >= res.length || res[k] == null) throw error(n.where() + ": output " + k + " is not computed by Neurite");
        constants.put(out[k], res[k]);
      }
    }

    /** After each step, forget the values no later step or graph output needs (inference memory). */
    private void freeDeadValues() {
      int[] last = new int[ids.size()];
      Arrays.fill(last, -1);
      for (int s = 0; s < steps.size(); s++) for (int v : steps.get(s).in) if (v >= 0) last[v] = s;
      Set<Integer> keep = new HashSet<>();
      for (int v : outputIds) keep.add(v);
      for (int i = 0; i < template.length; i++) if (template[i] != null) keep.add(i);
      List<List<Integer>> free = new ArrayList<>();
      for (int s = 0; s < steps.size(); s++) free.add(new ArrayList<>());
      for (int v = 0; v < last.length; v++) if (last[v] >= 0 && !keep.contains(v)) free.get(last[v]).add(v);
      for (int s = 0; s < steps.size(); s++) {
        Step st = steps.get(s);
        steps.set(s, new Step(st.node, st.op, st.in, st.out, free.get(s).stream().mapToInt(Integer::intValue).toArray()));
      }
    }

    /** Kahn's algorithm; nodes without inputs first, then the file's order. A cycle is an error. */
    private List<Node> sort(List<Node> nodes, Map<String, Node> producer, Set<String> defined) throws OnnxException {
      Map<Integer, Integer> pending = new HashMap<>();
      Map<Integer, List<Node>> next = new HashMap<>();
      for (Node n : nodes) {
        int deps = 0;
        for (String in : n.inputs) {
          if (in.isEmpty()) continue;
          Node p = producer.get(in);
          if (p == null) {
            if (!defined.contains(in))
              throw error(n.where() + ": input \"" + in + "\" is not produced by any node, nor a graph input or initializer");
            continue;
          }
          deps++;
          next.computeIfAbsent(p.index, k -> new ArrayList<>()).add(n);
        }
        pending.put(n.index, deps);
      }
      ArrayDeque<Node> ready = new ArrayDeque<>();
      for (Node n : nodes) if (pending.get(n.index) == 0 && n.inputs.length == 0) ready.add(n);
      for (Node n : nodes) if (pending.get(n.index) == 0 && n.inputs.length > 0) ready.add(n);
      List<Node> order = new ArrayList<>();
      while (!ready.isEmpty()) {
        Node n = ready.poll();
        order.add(n);
        for (Node m : next.getOrDefault(n.index, List.of()))
          if (pending.merge(m.index, -1, Integer::sum) == 0) ready.add(m);
      }
      if (order.size() != nodes.size()) {
        List<String> stuck = new ArrayList<>();
        for (Node n : nodes) if (pending.get(n.index) > 0 && stuck.size() < 3) stuck.add(n.where());
        throw error("the graph has a cycle: " + String.join(", ", stuck) + (nodes.size() - order.size() > 3 ? ", ..." : "")
            + " wait on each other's outputs");
      }
      return order;
    }

    /** For a Conv: its sole reader if a BatchNormalization, and then that one's sole reader if an activation. */
    private Node[] convChain(Node conv, Map<String, List<int[]>> readers, Map<Integer, Node> byIndex, Set<String> graphOutputs)
        throws OnnxException {
      Node bn = soleReader(conv, readers, byIndex, graphOutputs);
      if (bn != null && !(bn.opType.equals("BatchNormalization") && bn.domain.isEmpty() && bn.inputs.length == 5
          && bn.input(0).equals(conv.outputs[0]) && onlyFirstOutputUsed(bn, readers, graphOutputs)
          && Arrays.stream(bn.inputs).noneMatch(String::isEmpty)))
        bn = null;
      Node head = bn != null ? bn : conv;
      Node act = soleReader(head, readers, byIndex, graphOutputs);
      if (act != null && !(act.domain.isEmpty() && act.input(0).equals(head.outputs[0]) && foldableActivation(act)))
        act = null;
      return new Node[] {conv, bn, act};
    }

    private Node soleReader(Node n, Map<String, List<int[]>> readers, Map<Integer, Node> byIndex, Set<String> graphOutputs) {
      if (n.outputs.length < 1 || n.outputs[0].isEmpty() || graphOutputs.contains(n.outputs[0])) return null;
      List<int[]> r = readers.getOrDefault(n.outputs[0], List.of());
      return r.size() == 1 && r.get(0)[1] == 0 ? byIndex.get(r.get(0)[0]) : null;
    }

    private static boolean onlyFirstOutputUsed(Node n, Map<String, List<int[]>> readers, Set<String> graphOutputs) {
      for (int k = 1; k < n.outputs.length; k++)
        if (!n.outputs[k].isEmpty() && (readers.containsKey(n.outputs[k]) || graphOutputs.contains(n.outputs[k]))) return false;
      return true;
    }

    private boolean foldableActivation(Node n) throws OnnxException {
      if (n.opType.equals("Relu")) return n.attrs.isEmpty() && n.inputs.length == 1;
      if (!n.opType.equals("Clip")) return false;
      if (opset < 11) return true;
      for (int k = 1; k < n.inputs.length; k++)
        if (!n.inputs[k].isEmpty() && !constants.containsKey(id(n.inputs[k]))) return false;
      return n.attrs.isEmpty();
    }

    private NnOps.Act activation(Node n) throws OnnxException {
      if (n.opType.equals("Relu")) return new NnOps.Act(n, 0f, Float.POSITIVE_INFINITY);
      float lo, hi;
      if (opset < 11) {
        n.allow("min", "max");
        lo = n.f("min", Float.NEGATIVE_INFINITY);
        hi = n.f("max", Float.POSITIVE_INFINITY);
      } else {
        lo = n.hasInput(1) ? MathOps.bound(n, constants.get(id(n.input(1))), 0f, "min") : Float.NEGATIVE_INFINITY;
        hi = n.hasInput(2) ? MathOps.bound(n, constants.get(id(n.input(2))), 0f, "max") : Float.POSITIVE_INFINITY;
      }
      if (lo > hi) throw error(n.where() + ": min " + lo + " is greater than max " + hi);
      return new NnOps.Act(n, lo, hi);
    }

    private Input input(ValueInfoProto v) throws OnnxException {
      TypeProto t = v.getType();
      if (v.hasType() && !t.hasTensorType())
        throw error("graph value \"" + v.getName() + "\" is not a tensor (" + t.getValueCase() + "); only tensors are supported");
      DType type = t.hasTensorType() ? DType.of(t.getTensorType().getElemType()) : DType.FLOAT;
      if (type == null || type == DType.UNDEFINED) type = DType.FLOAT;
      if (!type.supported()) throw error("graph input \"" + v.getName() + "\" has type " + type + ", which Neurite cannot hold");
      long[] dims = new long[0];
      if (t.hasTensorType() && t.getTensorType().hasShape()) {
        List<TensorShapeProto.Dimension> ds = t.getTensorType().getShape().getDimList();
        dims = new long[ds.size()];
        for (int i = 0; i < dims.length; i++) dims[i] = ds.get(i).hasDimValue() ? ds.get(i).getDimValue() : -1;
      }
      return new Input(v.getName(), type.name(), dims);
    }

    private String unsupported(Node n) {
      if (!n.domain.isEmpty() && !n.domain.equals("ai.onnx"))
        return n.where() + ": operator " + n.opType + " of domain \"" + n.domain + "\" is not supported (Neurite runs the default "
            + "ONNX domain only)";
      return n.where() + ": operator " + n.opType + " (opset " + opset + ") is not supported by Neurite's ONNX importer";
    }
  }

  /**
   * Whether Conv→BatchNormalization→activation chains and Add→activation pairs run as one step (system
   * property neurite.onnx.fuse, default true).
   */
  private static final boolean FUSE = !"false".equals(System.getProperty("neurite.onnx.fuse"));

  /** Evaluation mode, for folding constants at load time. */
  private static final Op.Exec EVAL = new Op.Exec() {
    @Override
    public boolean training() {
      return false;
    }

    @Override
    public Rng rng() {
      return new Rng(0);
    }

    @Override
    public long version() {
      return 0;
    }
  };

  /**
   * A legal parameter name: letters, digits, '_' and '.' as they are; other characters become '_';
   * no empty segment between dots.
   */
  static String sanitize(String name) {
    String s = name.replaceAll("[^A-Za-z0-9_.]", "_").replaceAll("\\.{2,}", ".");
    if (s.startsWith(".")) s = "_" + s.substring(1);
    if (s.endsWith(".")) s = s.substring(0, s.length() - 1) + "_";
    return s.isEmpty() ? "_" : s;
  }

  private static String unique(String s, Set<String> used) {
    String u = s;
    for (int k = 1; !used.add(u); k++) u = s + "_" + k;
    return u;
  }
}
