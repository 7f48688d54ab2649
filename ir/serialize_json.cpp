#include "ir/serialize_json.h"

#include <cmath>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "ir/base64.h"
#include "ir/error.h"

namespace conflux::ir {

using nlohmann::json;

// ---- attribute structs (field names are the JSON keys) ----
void to_json(json& j, DType t) { j = std::string(dtypeName(t)); }
void from_json(const json& j, DType& t) { t = parseDType(j.get<std::string>(), "cast attribute"); }

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AxisAttrs, axis)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReduceAttrs, axes, keepDims)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GemmAttrs, alpha, beta, transA, transB)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ConvAttrs, kernelShape, strides, pads, dilations, outputPadding,
                                   group)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PoolAttrs, kernelShape, strides, pads, dilations, ceilMode,
                                   countIncludePad)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NormAttrs, epsilon, axis)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ActivationAttrs, alpha, beta, tanhApproximation)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ModAttrs, fmod)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BlockAttrs, blockSize, columnRowDepth)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ArgReduceAttrs, axis, keepDims, selectLast)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IsInfAttrs, negative, positive)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LrnAttrs, alpha, beta, bias, size)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LossAttrs, reduction, ignores, ignoreIndex)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OneHotAttrs, axis, depth)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GatherNdAttrs, batchDims)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ScatterAttrs, axis, reduction)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TopKAttrs, axis, k, largest)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TransposeAttrs, perm)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CastAttrs, to)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SliceAttrs, axes, starts, ends, steps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FillAttrs, value)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TriluAttrs, upper, k)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PadAttrs, pads, mode, value)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SplitAttrs, axis, sizes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ResizeAttrs, scales, mode, coordinateTransformation, nearestMode,
                                   cubicCoeffA, excludeOutside)
void to_json(json& j, const NoAttrs&) { j = json::object(); }
void from_json(const json&, NoAttrs&) {}

namespace {

/// Errors while reading carry the file name and the JSON path being read.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw Error(source_ + ": " + where + ": " + what);
  }

  /// Rejects keys outside `allowed` and missing `required` keys.
  void keys(const json& j, const std::string& where, std::initializer_list<const char*> required,
            std::initializer_list<const char*> optional = {}) const {
    if (!j.is_object()) fail(where, "expected a JSON object");
    std::set<std::string> known;
    for (const char* k : required) {
      known.insert(k);
      if (!j.contains(k)) fail(where, std::string("missing key '") + k + "'");
    }
    for (const char* k : optional) known.insert(k);
    for (const auto& [k, v] : j.items())
      if (!known.count(k)) fail(where, "unknown key '" + k + "'");
  }

  template <typename T>
  T get(const json& j, const char* key, const std::string& where) const {
    try {
      return j.at(key).get<T>();
    } catch (const json::exception& e) {
      fail(where, std::string("bad value for '") + key + "': " + e.what());
    }
  }

  /// Runs `f`, turning conflux::Error from nested parsers into one naming `where`.
  template <typename F>
  auto at(const std::string& where, F&& f) const {
    try {
      return f();
    } catch (const json::exception& e) {
      fail(where, e.what());
    } catch (const Error& e) {
      if (std::string(e.what()).starts_with(source_)) throw;
      fail(where, e.what());
    }
  }

 private:
  std::string source_;
};

// ---- expressions ----
json numberToJson(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

double numberFromJson(const json& j) {
  if (j.is_string()) {
    std::string s = j.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    throw Error("bad number '" + s + "'");
  }
  return j.get<double>();
}

json exprToJson(const Expr& e) {
  switch (e->kind) {
    case ExprKind::Constant: return {"const", numberToJson(e->value), dtypeName(e->dtype)};
    case ExprKind::Ref: return {"ref", e->name, dtypeName(e->dtype)};
    case ExprKind::Unary: return {"unary", unaryOpName(e->unaryOp), exprToJson(e->args[0])};
    case ExprKind::Binary:
      return {"binary", binaryOpName(e->binaryOp), exprToJson(e->args[0]), exprToJson(e->args[1])};
    case ExprKind::Select:
      return {"select", exprToJson(e->args[0]), exprToJson(e->args[1]), exprToJson(e->args[2])};
    case ExprKind::Cast: return {"cast", dtypeName(e->dtype), exprToJson(e->args[0])};
    case ExprKind::Load: {
      json indices = json::array();
      for (const Expr& i : e->args) indices.push_back(exprToJson(i));
      return {"load", e->name, dtypeName(e->dtype), indices};
    }
  }
  CONFLUX_ASSERT(false, "unknown expression kind");
}

Expr exprFromJson(const json& j) {
  if (!j.is_array() || j.empty() || !j[0].is_string())
    throw Error("an expression is a JSON array starting with its kind");
  std::string kind = j[0].get<std::string>();
  auto arity = [&](size_t n) {
    if (j.size() != n) throw Error("expression '" + kind + "' needs " + std::to_string(n - 1) + " fields");
  };
  if (kind == "const") {
    arity(3);
    return constant(numberFromJson(j[1]), parseDType(j[2].get<std::string>(), "constant"));
  }
  if (kind == "ref") {
    arity(3);
    return ref(j[1].get<std::string>(), parseDType(j[2].get<std::string>(), "reference"));
  }
  if (kind == "unary") {
    arity(3);
    return unary(parseUnaryOp(j[1].get<std::string>()), exprFromJson(j[2]));
  }
  if (kind == "binary") {
    arity(4);
    return binary(parseBinaryOp(j[1].get<std::string>()), exprFromJson(j[2]), exprFromJson(j[3]));
  }
  if (kind == "select") {
    arity(4);
    return select(exprFromJson(j[1]), exprFromJson(j[2]), exprFromJson(j[3]));
  }
  if (kind == "cast") {
    arity(3);
    return cast(exprFromJson(j[2]), parseDType(j[1].get<std::string>(), "cast"));
  }
  if (kind == "load") {
    arity(4);
    std::vector<Expr> indices;
    for (const json& i : j[3]) indices.push_back(exprFromJson(i));
    return load(j[1].get<std::string>(), std::move(indices),
                parseDType(j[2].get<std::string>(), "load"));
  }
  throw Error("unknown expression kind '" + kind + "'");
}

// ---- library attributes ----
json attrsToJson(const OpAttrs& attrs) {
  json j = std::visit([](const auto& a) { return json(a); }, attrs);
  j["kind"] = attrsName(attrs);
  return j;
}

template <size_t I = 0>
OpAttrs attrsFromJson(const std::string& kind, const json& fields) {
  if constexpr (I == std::variant_size_v<OpAttrs>) {
    throw Error("unknown attribute kind '" + kind + "'");
  } else {
    using T = std::variant_alternative_t<I, OpAttrs>;
    if (kind != T::kName) return attrsFromJson<I + 1>(kind, fields);
    json expected = json(T{});
    for (const auto& [k, v] : fields.items())
      if (!expected.contains(k)) throw Error("unknown attribute '" + k + "' for kind '" + kind + "'");
    return fields.get<T>();
  }
}

// ---- graph ----
json memletToJson(const Memlet& m) {
  if (m.isEmpty()) return nullptr;
  return {{"data", m.data},
          {"subset", m.subset.toString()},
          {"volume", m.volume ? json(*m.volume) : json(nullptr)},
          {"wcr", wcrName(m.wcr)}};
}

json nodeToJson(const Node& n);

json graphToJson(const Graph& g) {
  json arrays = json::object();
  for (const auto& [name, d] : g.arrays()) {
    arrays[name] = {{"dtype", dtypeName(d.dtype)},     {"shape", d.shape},
                    {"layout", d.layout.toString()},   {"storage", storageName(d.storage)},
                    {"transient", d.transient}};
  }
  json symbols = json::object();
  for (const auto& [name, t] : g.symbols()) symbols[name] = dtypeName(t);
  json states = json::array();
  for (const State& s : g.states()) {
    json nodes = json::array();
    for (NodeId id : s.nodeIds()) nodes.push_back(nodeToJson(s.node(id)));
    json edges = json::array();
    for (EdgeId id : s.edgeIds()) {
      const Edge& e = s.edge(id);
      edges.push_back({{"id", e.id.value},     {"src", e.src.value}, {"src_conn", e.srcConn},
                       {"dst", e.dst.value},   {"dst_conn", e.dstConn},
                       {"memlet", memletToJson(e.memlet)}});
    }
    states.push_back({{"name", s.name()}, {"nodes", nodes}, {"edges", edges}});
  }
  json interstate = json::array();
  for (const InterstateEdge& e : g.interstateEdges()) {
    json assignments = json::array();
    for (const auto& [name, value] : e.assignments) assignments.push_back({name, exprToJson(value)});
    interstate.push_back({{"src", e.src},
                          {"dst", e.dst},
                          {"condition", e.condition ? exprToJson(e.condition) : json(nullptr)},
                          {"assignments", assignments}});
  }
  json constants = json::object();
  for (const auto& [name, t] : g.constantValues())
    constants[name] = base64Encode(t->bytes(), t->byteSize());
  return {{"format", "conflux-ir"}, {"version", kIrJsonVersion}, {"name", g.name()},
          {"constants", constants},
          {"arrays", arrays},       {"inputs", g.inputs()},      {"outputs", g.outputs()},
          {"symbols", symbols},     {"start_state", g.startState()}, {"states", states},
          {"interstate_edges", interstate}};
}

json nodeToJson(const Node& n) {
  json j = {{"id", n.id.value},
            {"kind", nodeKindName(n.kind())},
            {"label", n.label},
            {"origins", n.origins}};
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, AccessNode>) {
          j["data"] = p.data;
        } else if constexpr (std::is_same_v<T, Tasklet>) {
          j["inputs"] = p.inputs;
          json outs = json::array();
          for (const TaskletOutput& o : p.outputs)
            outs.push_back({{"name", o.name}, {"expr", exprToJson(o.expr)}});
          j["outputs"] = outs;
        } else if constexpr (std::is_same_v<T, MapEntry>) {
          j["params"] = p.map.params;
          j["ranges"] = p.map.ranges.toString();
          j["schedule"] = scheduleName(p.map.schedule);
        } else if constexpr (std::is_same_v<T, MapExit>) {
          j["entry"] = p.entry.value;
        } else if constexpr (std::is_same_v<T, LibraryNode>) {
          j["op"] = opKindName(p.op);
          j["attrs"] = attrsToJson(p.attrs);
          j["inputs"] = p.inputs;
          j["outputs"] = p.outputs;
          j["expansion"] = expansionName(p.expansion);
        } else {
          j["graph"] = graphToJson(*p.graph);
          j["inputs"] = p.inputs;
          j["outputs"] = p.outputs;
        }
      },
      n.payload);
  return j;
}

/// Builds graphs from JSON with strict key checks.
class GraphReader {
 public:
  explicit GraphReader(const Reader& r) : r_(r) {}

  Graph read(const json& j, const std::string& where) {
    r_.keys(j, where,
            {"format", "version", "name", "arrays", "inputs", "outputs", "symbols", "start_state",
             "states", "interstate_edges"},
            {"constants"});
    if (j["format"] != "conflux-ir") r_.fail(where, "'format' is not \"conflux-ir\"");
    int version = r_.get<int>(j, "version", where);
    if (version != kIrJsonVersion)
      r_.fail(where, "IR version " + std::to_string(version) + " is not supported (expected " +
                         std::to_string(kIrJsonVersion) + ")");
    Graph g(r_.get<std::string>(j, "name", where));
    for (const auto& [name, a] : j["arrays"].items()) readArray(g, name, a, where);
    if (j.contains("constants"))
      for (const auto& [name, text] : j["constants"].items()) readConstant(g, name, text, where);
    for (const auto& [name, t] : j["symbols"].items())
      g.addSymbol(name, r_.at(where, [&] { return parseDType(t.get<std::string>(), name); }));
    g.setInputs(r_.get<std::vector<std::string>>(j, "inputs", where));
    g.setOutputs(r_.get<std::vector<std::string>>(j, "outputs", where));
    size_t index = 0;
    for (const json& s : j["states"])
      g.addState(readState(s, where + ", state " + std::to_string(index++)));
    g.setStartState(r_.get<size_t>(j, "start_state", where));
    index = 0;
    for (const json& e : j["interstate_edges"])
      g.addInterstateEdge(readInterstate(e, where + ", interstate edge " + std::to_string(index++)));
    return g;
  }

 private:
  void readArray(Graph& g, const std::string& name, const json& a, const std::string& graphWhere) {
    std::string where = graphWhere + ", array '" + name + "'";
    r_.keys(a, where, {"dtype", "shape", "layout", "storage", "transient"});
    r_.at(where, [&] {
      DataDesc d;
      d.dtype = parseDType(a["dtype"].get<std::string>(), "dtype");
      d.shape = a["shape"].get<std::vector<int64_t>>();
      d.layout = Layout::parse(a["layout"].get<std::string>(), d.shape.size(), "layout");
      d.storage = parseStorage(a["storage"].get<std::string>(), "storage");
      d.transient = a["transient"].get<bool>();
      g.addArray(name, d);
      return 0;
    });
  }

  void readConstant(Graph& g, const std::string& name, const json& text,
                    const std::string& graphWhere) {
    std::string where = graphWhere + ", constant '" + name + "'";
    r_.at(where, [&] {
      const DataDesc& desc = g.array(name);
      Tensor value(desc.dtype, desc.shape, name);
      std::vector<std::byte> bytes = base64Decode(text.get<std::string>());
      if (bytes.size() != value.byteSize())
        r_.fail(where, std::to_string(bytes.size()) + " bytes but the array needs " +
                           std::to_string(value.byteSize()));
      std::copy(bytes.begin(), bytes.end(), value.bytes());
      g.setConstantValue(name, std::move(value));
      return 0;
    });
  }

  State readState(const json& s, const std::string& where) {
    r_.keys(s, where, {"name", "nodes", "edges"});
    State state(r_.get<std::string>(s, "name", where));
    for (const json& n : s["nodes"]) state.insertNode(readNode(n, where));
    for (const json& e : s["edges"]) {
      std::string ew = where + ", edge " + e.value("id", json(-1)).dump();
      r_.keys(e, ew, {"id", "src", "src_conn", "dst", "dst_conn", "memlet"});
      r_.at(ew, [&] {
        Edge edge{EdgeId{e["id"].get<int64_t>()},  NodeId{e["src"].get<int64_t>()},
                  e["src_conn"].get<std::string>(), NodeId{e["dst"].get<int64_t>()},
                  e["dst_conn"].get<std::string>(), readMemlet(e["memlet"], ew)};
        return state.insertEdge(std::move(edge));
      });
    }
    return state;
  }

  Memlet readMemlet(const json& m, const std::string& where) {
    if (m.is_null()) return Memlet::empty();
    r_.keys(m, where + ", memlet", {"data", "subset", "volume", "wcr"});
    Memlet memlet;
    memlet.data = m["data"].get<std::string>();
    memlet.subset = Subset::parse(m["subset"].get<std::string>());
    if (!m["volume"].is_null()) memlet.volume = m["volume"].get<int64_t>();
    memlet.wcr = parseWcr(m["wcr"].get<std::string>());
    return memlet;
  }

  Node readNode(const json& n, const std::string& stateWhere) {
    std::string where = stateWhere + ", node " + n.value("id", json(-1)).dump();
    return r_.at(where, [&] {
      Node node;
      node.id = NodeId{n.at("id").get<int64_t>()};
      node.label = n.at("label").get<std::string>();
      node.origins = n.at("origins").get<std::vector<std::string>>();
      std::string kind = n.at("kind").get<std::string>();
      if (kind == "access") {
        r_.keys(n, where, {"id", "kind", "label", "origins", "data"});
        node.payload = AccessNode{n["data"].get<std::string>()};
      } else if (kind == "tasklet") {
        r_.keys(n, where, {"id", "kind", "label", "origins", "inputs", "outputs"});
        Tasklet t;
        t.inputs = n["inputs"].get<std::vector<std::string>>();
        for (const json& o : n["outputs"]) {
          r_.keys(o, where + ", output", {"name", "expr"});
          t.outputs.push_back({o["name"].get<std::string>(), exprFromJson(o["expr"])});
        }
        node.payload = std::move(t);
      } else if (kind == "map_entry") {
        r_.keys(n, where, {"id", "kind", "label", "origins", "params", "ranges", "schedule"});
        Map m{n["params"].get<std::vector<std::string>>(),
              Subset::parse(n["ranges"].get<std::string>()),
              parseSchedule(n["schedule"].get<std::string>())};
        node.payload = MapEntry{std::move(m)};
      } else if (kind == "map_exit") {
        r_.keys(n, where, {"id", "kind", "label", "origins", "entry"});
        node.payload = MapExit{NodeId{n["entry"].get<int64_t>()}};
      } else if (kind == "library") {
        r_.keys(n, where, {"id", "kind", "label", "origins", "op", "attrs", "inputs", "outputs",
                           "expansion"});
        LibraryNode lib;
        std::string op = n["op"].get<std::string>();
        if (!parseOpKind(op, lib.op)) r_.fail(where, "unknown op '" + op + "'");
        json fields = n["attrs"];
        if (!fields.is_object() || !fields.contains("kind"))
          r_.fail(where, "'attrs' needs a 'kind'");
        std::string attrKind = fields["kind"].get<std::string>();
        fields.erase("kind");
        lib.attrs = attrsFromJson(attrKind, fields);
        lib.inputs = n["inputs"].get<std::vector<std::string>>();
        lib.outputs = n["outputs"].get<std::vector<std::string>>();
        lib.expansion = parseExpansion(n["expansion"].get<std::string>());
        node.payload = std::move(lib);
      } else if (kind == "nested_graph") {
        r_.keys(n, where, {"id", "kind", "label", "origins", "graph", "inputs", "outputs"});
        node.payload = NestedGraphNode(read(n["graph"], where + ", nested graph"),
                                       n["inputs"].get<std::vector<std::string>>(),
                                       n["outputs"].get<std::vector<std::string>>());
      } else {
        r_.fail(where, "unknown node kind '" + kind + "'");
      }
      return node;
    });
  }

  InterstateEdge readInterstate(const json& e, const std::string& where) {
    r_.keys(e, where, {"src", "dst", "condition", "assignments"});
    return r_.at(where, [&] {
      InterstateEdge edge;
      edge.src = e["src"].get<size_t>();
      edge.dst = e["dst"].get<size_t>();
      if (!e["condition"].is_null()) edge.condition = exprFromJson(e["condition"]);
      for (const json& a : e["assignments"]) {
        if (!a.is_array() || a.size() != 2) r_.fail(where, "an assignment is [name, expr]");
        edge.assignments.emplace_back(a[0].get<std::string>(), exprFromJson(a[1]));
      }
      return edge;
    });
  }

  const Reader& r_;
};

}  // namespace

std::string toJson(const Graph& graph) { return graphToJson(graph).dump(2) + "\n"; }

Graph fromJson(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(source + ": malformed JSON: " + e.what());
  }
  Reader reader(source);
  return GraphReader(reader).read(j, "graph");
}

bool isIrJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("format") && j["format"] == "conflux-ir";
}

}  // namespace conflux::ir
